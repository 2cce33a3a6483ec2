'use strict'
// The driver's pure parts, no broker: property routing, resolved configuration, processing,
// poll intervals, payload stamps, request statistics.
const test = require('node:test')
const assert = require('node:assert/strict')
const c = require('../lib/common')

test('properties go to the object of KafkaJS that takes them', () => {
  const r = c.routeProperties({
    maxWaitTimeInMs: 500,
    minBytes: 1024,
    sessionTimeout: 10000,
    requestTimeout: 5000,
    'retry.initialRetryTime': 100,
    'sasl.mechanism': 'SCRAM-SHA-512',
    'sasl.username': 'alice',
    'sasl.password': 's3cret'
  }, 'consumer')
  assert.deepEqual(r.role, { maxWaitTimeInMs: 500, minBytes: 1024, sessionTimeout: 10000 })
  assert.deepEqual(r.client, { requestTimeout: 5000 })
  assert.deepEqual(r.retry, { initialRetryTime: 100 })
  assert.deepEqual(r.sasl, { mechanism: 'scram-sha-512', username: 'alice', password: 's3cret' })
  const options = c.kafkaOptions('127.0.0.1:1, 127.0.0.1:2', r, 1)
  assert.deepEqual(options.brokers, ['127.0.0.1:1', '127.0.0.1:2'])
  assert.equal(options.requestTimeout, 5000)
  assert.deepEqual(options.retry, { initialRetryTime: 100 })
  assert.equal(options.ssl, undefined)

  const p = c.routeProperties({ acks: -1, compression: 'gzip', idempotent: true, sendRecords: 50 }, 'producer')
  assert.deepEqual(p.send, { acks: -1, compression: 'gzip' })
  assert.deepEqual(p.role, { idempotent: true })
  assert.deepEqual(p.driver, { sendRecords: 50 })
})

test('a setting KafkaJS does not know fails the run naming it', () => {
  assert.throws(() => c.routeProperties({ 'no.such.setting': '1' }, 'consumer'), /`no\.such\.setting`/)
  // A producer's setting is no consumer's, and the other way round.
  assert.throws(() => c.routeProperties({ acks: 1 }, 'consumer'), /`acks`/)
  assert.throws(() => c.routeProperties({ maxWaitTimeInMs: 1 }, 'producer'), /`maxWaitTimeInMs`/)
  assert.throws(() => c.routeProperties({ sendRecords: 0 }, 'producer'), /sendRecords.*>= 1/)
  assert.throws(() => c.routeProperties({ 'sasl.username': 'u' }, 'consumer'), /sasl\.mechanism/)
})

test('TLS: the PEM files become Node tls options, the host check can be off', () => {
  const read = p => Buffer.from(`contents of ${p}`)
  assert.equal(c.tlsOptions({}), true)
  const t = c.tlsOptions({ ca: '/t/ca.pem', cert: '/t/c.pem', key: '/t/c.pem', passphrase: 'k', checkHostname: false }, read)
  assert.equal(t.ca[0].toString(), 'contents of /t/ca.pem')
  assert.equal(t.cert.toString(), 'contents of /t/c.pem')
  assert.equal(t.passphrase, 'k')
  assert.equal(typeof t.checkServerIdentity, 'function')
  assert.equal(c.tlsOptions({ ca: '/t/ca.pem' }, read).checkServerIdentity, undefined)
})

test('the resolved configuration: KafkaJS defaults, what was set on top, secrets masked', () => {
  const r = c.routeProperties({ maxWaitTimeInMs: 100, 'sasl.mechanism': 'PLAIN', 'sasl.username': 'u', 'sasl.password': 'p', ssl: true, 'ssl.passphrase': 'x' }, 'consumer')
  const conf = c.resolvedConfig('consumer', r, { groupId: 'g', autoCommit: false })
  assert.equal(conf.maxWaitTimeInMs, '100')
  assert.equal(conf.minBytes, '1')
  assert.equal(conf.sessionTimeout, '30000')
  assert.equal(conf.requestTimeout, '30000')
  assert.equal(conf.autoCommit, 'false')
  assert.equal(conf.groupId, 'g')
  assert.equal(conf['sasl.password'], '*****')
  assert.equal(conf['ssl.passphrase'], '*****')
  assert.ok(!JSON.stringify(conf).includes('"p"'))
  const prod = c.resolvedConfig('producer', c.routeProperties({}, 'producer'), {})
  assert.equal(prod.acks, '-1')
  assert.equal(prod.sendRecords, '1000')
  assert.equal(prod.maxWaitTimeInMs, undefined)
})

test('processing: per record or per poll, busy or sleep, and what is wrong is named', async () => {
  assert.equal(c.processingFromSpec(null), null)
  const rec = c.processingFromSpec({ per: 'record', duration_us: 200, work: 'busy' })
  assert.equal(c.processingUs(rec, 5), 1000)
  assert.equal(c.processingUs(rec, 0), 0)
  const poll = c.processingFromSpec({ per: 'poll', duration_us: 3000, work: 'sleep' })
  assert.equal(c.processingUs(poll, 7), 3000)
  assert.throws(() => c.processingFromSpec({ per: 'batch', duration_us: 1, work: 'busy' }), /processing\.per/)
  assert.throws(() => c.processingFromSpec({ per: 'poll', duration_us: -1, work: 'busy' }), /duration_us/)
  assert.throws(() => c.processingFromSpec({ per: 'poll', duration_us: 1, work: 'nap' }), /processing\.work/)
  const busy = await c.applyProcessing(c.processingFromSpec({ per: 'poll', duration_us: 5000, work: 'busy' }), 1)
  assert.ok(busy >= 0.005 && busy < 0.5, `busy ${busy}`)
  const slept = await c.applyProcessing(poll, 1)
  assert.ok(slept >= 0.003 && slept < 0.5, `slept ${slept}`)
  assert.equal(await c.applyProcessing(poll, 0), 0)
})

test('poll intervals: start to start, mean and longest; none for one poll', () => {
  const i = new c.PollIntervals()
  i.pollStarts(10)
  assert.equal(i.avgMs(), null)
  i.pollStarts(14)
  i.pollStarts(24)
  assert.equal(i.avgMs(), 7)
  assert.equal(i.maxMs(), 10)
})

test('send stamps: 8 bytes big-endian microseconds; short values have none', () => {
  const b = Buffer.alloc(12)
  b.writeBigUInt64BE(1764000000123456n)
  assert.equal(c.decodeSendUs(b), 1764000000123456)
  assert.equal(c.decodeSendUs(Buffer.alloc(7)), null)
  assert.equal(c.decodeSendUs(null), null)
  const now = c.unixUs()
  assert.ok(Math.abs(now - Date.now() * 1000) < 50000, 'wall clock in microseconds')
})

test('request statistics by API, flat for client_metrics', () => {
  const s = new c.RequestStats()
  s.record({ apiName: 'Fetch', duration: 4, size: 100 })
  s.record({ apiName: 'Fetch', duration: 10, size: 300 })
  s.record({ apiName: 'Metadata', duration: 1, size: 50 })
  assert.deepEqual(s.get('Fetch'), { count: 2, durationTotal: 14, durationMax: 10, sizeTotal: 400 })
  assert.equal(s.get('Produce'), null)
  const flat = s.flat()
  assert.equal(flat['Fetch.count'], 2)
  assert.equal(flat['Fetch.duration.avg.ms'], 7)
  assert.equal(flat['Fetch.response.bytes.avg'], 200)
})

test('GC statistics count real collections', async () => {
  const gc = new c.GcStats()
  // Short-lived garbage: young-generation collections (scavenges) follow within megabytes.
  let keep = 0
  for (let i = 0; i < 200000; i++) keep += new Array(64).fill(i).length
  await new Promise(resolve => setTimeout(resolve, 50))
  gc.stop()
  assert.equal(keep, 200000 * 64)
  assert.ok(gc.count >= 1 && gc.timeMs > 0, `count ${gc.count}, ${gc.timeMs} ms`)
})

test('histograms are encoded as standard V2: offset 0, ratio 1.0, the counts kept', () => {
  const hdr = require('hdr-histogram-js')
  const zlib = require('zlib')
  const h = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: c.HIST_HIGHEST_US, numberOfSignificantValueDigits: 3 })
  for (const v of [10, 2000, 2000, 150000]) h.recordValue(v)
  const fixed = Buffer.from(c.standardHistogramBase64(hdr.encodeIntoCompressedBase64(h)), 'base64')
  assert.equal(fixed.readUInt32BE(0), 0x1c849314)
  const inner = zlib.inflateSync(fixed.subarray(8))
  assert.equal(inner.readUInt32BE(0), 0x1c849313)
  assert.equal(inner.readUInt32BE(8), 0, 'normalizingIndexOffset')
  assert.equal(inner.readUInt32BE(12), 3, 'significant digits')
  assert.equal(inner.readDoubleBE(32), 1.0, 'integerToDoubleValueConversionRatio')
  const back = hdr.decodeFromCompressedBase64(fixed.toString('base64'))
  assert.equal(back.totalCount, 4)
  assert.ok(Math.abs(back.getValueAtPercentile(50) - 2000) <= 2)
  assert.throws(() => c.standardHistogramBase64(Buffer.from('nope!!!!').toString('base64')), /not a V2/)
})
