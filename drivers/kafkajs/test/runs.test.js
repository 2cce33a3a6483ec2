'use strict'
// The consumer's and producer's bookkeeping and the result document, no broker: batches as
// KafkaJS hands them to eachBatch, a producer object that answers send() as KafkaJS does.
const test = require('node:test')
const assert = require('node:assert/strict')
const hdr = require('hdr-histogram-js')
const c = require('../lib/common')
const { ConsumerRun, pieces, countable, fetchFields } = require('../lib/consumer')
const { Producing, parsePayload, sendRate } = require('../lib/producer')
const { buildResult } = require('../kafkatune_kafkajs')

const newHistogram = () => hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: c.HIST_HIGHEST_US, numberOfSignificantValueDigits: 3 })

function spec (over = {}) {
  return {
    protocol_version: 1,
    client: 'kafkajs',
    bootstrap_servers: '127.0.0.1:1',
    topic: 't',
    assignment: 'assign',
    partitions: [{ partition: 0, start_offset: 0 }, { partition: 1, start_offset: 0 }],
    messages: 25,
    mode: 'drain',
    max_poll_records: 10,
    poll_timeout_ms: 100,
    properties: {},
    timeout_s: 10,
    live: null,
    ...over
  }
}

/** A KafkaJS batch: `n` records from `first`, values of `size` bytes (stamped `sendUs`). */
function batch (partition, first, n, size = 8, sendUs = 0, highWatermark = first + n) {
  const messages = []
  for (let i = 0; i < n; i++) {
    const value = Buffer.alloc(size)
    if (size >= 8) value.writeBigUInt64BE(BigInt(sendUs))
    messages.push({ offset: String(first + i), value })
  }
  return { topic: 't', partition, messages, highWatermark: String(highWatermark), offsetLag: () => String(highWatermark - (first + n)) }
}

test('one eachBatch call is cut into polls of at most max_poll_records', () => {
  assert.deepEqual(pieces([1, 2, 3, 4, 5], 2), [[1, 2], [3, 4], [5]])
  assert.deepEqual(pieces([], 2), [])
})

test('countable: from the start offset, once, below the end, no more than remaining', () => {
  const msgs = [5, 6, 7, 8, 9].map(o => ({ offset: String(o) }))
  const offsets = r => r.map(m => Number(m.offset))
  assert.deepEqual(offsets(countable(msgs, { start: 6, remaining: 100 })), [6, 7, 8, 9])
  assert.deepEqual(offsets(countable(msgs, { start: 0, countedTo: 8, remaining: 100 })), [8, 9])
  assert.deepEqual(offsets(countable(msgs, { start: 0, end: 8, remaining: 100 })), [5, 6, 7])
  assert.deepEqual(offsets(countable(msgs, { start: 0, remaining: 2 })), [5, 6])
})

test('a drain counts exactly the spec messages over partitions, with poll statistics', async () => {
  const r = new ConsumerRun(spec())
  let now = 1764000000000000
  const clock = () => (now += 1000)
  assert.equal(await r.onBatch(batch(0, 0, 15, 20, 0, 100), clock), 14)
  assert.equal(await r.onBatch(batch(1, 0, 30, 20), clock), 29)
  assert.equal(r.messages, 25)
  assert.equal(r.bytes, 25 * 20)
  const f = r.fields()
  assert.deepEqual(f.per_partition, { 0: 15, 1: 10 })
  assert.equal(f.records_per_poll_max, 10)
  assert.equal(f.polls, 3, 'polls of 10 and 5, then 10: the rest is not handed')
  assert.equal(f.records_lag_max, 85, 'high watermark 100 less the next offset 15')
  assert.ok(f.consume_s >= 0 && f.first_record_unix_us <= f.last_record_unix_us)
  assert.equal(f.max_poll_exceeded, null, 'KafkaJS has no max.poll.interval.ms')
  assert.equal(f.join_s, null)
  assert.equal(r.eachBatchCalls, 2)
  assert.equal(r.batchRecordsMax, 30)
})

test('empty polls: a fetch round of a node that handed nothing', () => {
  const r = new ConsumerRun(spec())
  r.leaders.set(0, 1)
  const seen = new Set()
  r.onFetchStart(1, seen) // the first round: nothing to judge yet
  r.onFetchStart(1, seen) // the first round handed nothing
  assert.equal(r.emptyPolls, 1)
  r.fetchRounds.set(1, 5) // a batch of that node's partition was handed
  r.onFetchStart(1, seen)
  assert.equal(r.emptyPolls, 1)
  assert.equal(r.polls, 1)
})

test('live: latency from the payload stamp, only from the warm-up end on', async () => {
  const s = spec({ mode: 'live', live: { warmup_end_unix_us: 1000 }, messages: 4, partitions: [{ partition: 0, start_offset: 0 }] })
  const r = new ConsumerRun(s)
  r.histogram = newHistogram()
  await r.onBatch(batch(0, 0, 2, 16, 500), () => 3000) // sent before the warm-up end: not timed
  await r.onBatch(batch(0, 2, 2, 16, 1500), () => 3500)
  assert.equal(r.messages, 4)
  assert.equal(r.histogram.totalCount, 2)
  assert.ok(Math.abs(r.histogram.getValueAtPercentile(50) - 2000) <= 2)
})

test('a group member counts only its ranges, each offset once', async () => {
  const s = spec({ assignment: 'subscribe', group_id: 'g', messages: 10, partitions: [{ partition: 0, start_offset: 3, end_offset: 8 }, { partition: 1, start_offset: 0, end_offset: 5 }] })
  const r = new ConsumerRun(s)
  await r.onBatch(batch(0, 0, 10), () => 1)
  assert.equal(r.messages, 5, 'offsets 3..7')
  assert.ok(r.partitionDone(0))
  assert.equal(r.handedTo.get(0), 10, 'the commit goes after the last record handed')
  await r.onBatch(batch(1, 0, 3), () => 2)
  await r.onBatch(batch(1, 0, 5), () => 3) // read again after a rebalance: counted once
  assert.equal(r.messages, 10)
  assert.deepEqual(r.fields().per_partition, { 0: 5, 1: 5 })
})

test('processing runs after each counted poll and is timed', async () => {
  const r = new ConsumerRun(spec({ messages: 20, processing: { per: 'poll', duration_us: 2000, work: 'busy' } }))
  await r.onBatch(batch(0, 0, 20), c.unixUs)
  const f = r.fields()
  assert.equal(f.polls, 2)
  assert.ok(f.processing_s >= 0.004, `${f.processing_s}`)
  assert.ok(f.consume_s >= 0.004, 'the last record counts once processed')
  assert.ok(f.poll_interval_avg_ms >= 2)
})

test('fetch fields from the Fetch requests, null without any', () => {
  const s = new c.RequestStats()
  assert.deepEqual(fetchFields(s), { fetch_requests: null, fetch_latency_avg_ms: null, fetch_latency_max_ms: null, fetch_bytes_avg: null })
  s.record({ apiName: 'Fetch', duration: 2, size: 1000 })
  s.record({ apiName: 'Fetch', duration: 6, size: 3000 })
  assert.deepEqual(fetchFields(s), { fetch_requests: 2, fetch_latency_avg_ms: 4, fetch_latency_max_ms: 6, fetch_bytes_avg: 2000 })
})

test('the result document of a consumer run', async () => {
  const s = spec({ messages: 5 })
  const state = { run: new ConsumerRun(s), config: { autoCommit: 'false' } }
  state.run.readyUs = 1
  await state.run.onBatch(batch(0, 0, 5, 10), c.unixUs)
  const ctx = { requests: new c.RequestStats(), version: '2.2.4', gc: { count: 3, timeMs: 1.5 }, encode: h => hdr.encodeIntoCompressedBase64(h) }
  ctx.requests.record({ apiName: 'Fetch', duration: 3, size: 500 })
  const doc = buildResult(s, state, 'ok', null, ctx)
  assert.equal(doc.protocol_version, 1)
  assert.equal(doc.client, 'kafkajs')
  assert.equal(doc.client_version, '2.2.4')
  assert.equal(doc.messages, 5)
  assert.equal(doc.bytes, 50)
  assert.equal(doc.gc_count, 3)
  assert.equal(doc.gc_time_ms, 1.5)
  assert.equal(doc.fetch_requests, 1)
  assert.equal(doc.poll_api, 'eachBatch')
  assert.equal(doc.latency_histogram, null)
  assert.equal(doc.client_metrics.each_batch_calls, 1)
  assert.equal(doc.client_metrics['Fetch.count'], 1)
  assert.deepEqual(doc.client_config, { autoCommit: 'false' })
  assert.ok(JSON.stringify(doc))
})

test('payload files: length-prefixed bodies; truncation is named', () => {
  const one = Buffer.from([0, 0, 0, 2, 7, 8, 0, 0, 0, 1, 9])
  assert.deepEqual(parsePayload(one).map(b => [...b]), [[7, 8], [9]])
  assert.throws(() => parsePayload(Buffer.from([0, 0, 0, 5, 1])), /truncated at offset 0/)
  assert.throws(() => parsePayload(Buffer.alloc(0)), /no record body/)
  assert.equal(sendRate({ produce: { rate_msgs_per_s: null } }), null)
  assert.throws(() => sendRate({ produce: { rate_msgs_per_s: 0 } }), /positive/)
})

/** A KafkaJS-like producer: answers each send() after `delayMs`, or fails the call `failAt`. */
function fakeProducer ({ delayMs = 1, failAt = -1 } = {}) {
  const calls = []
  return {
    calls,
    send ({ topic, messages }) {
      const n = calls.push({ topic, messages })
      return new Promise((resolve, reject) => setTimeout(() => (n - 1 === failAt ? reject(Object.assign(new Error('boom'), { name: 'KafkaJSError' })) : resolve([])), delayMs))
    }
  }
}

test('a producer run sends exactly the records, round robin, stamped, in calls of sendRecords', async () => {
  const s = spec({ mode: 'produce', messages: 25, produce: { payload_file: '-', rate_msgs_per_s: null } })
  const p = new Producing(s, [Buffer.from('ab'), Buffer.from('cde')], { sendRecords: 10, sendsInFlight: 2 })
  p.histogram = newHistogram()
  const producer = fakeProducer()
  const before = c.unixUs()
  const timedOut = await p.sendAll(producer, {}, 1e12, () => {})
  assert.equal(timedOut, false)
  assert.deepEqual(producer.calls.map(call => call.messages.length), [10, 10, 5])
  const all = producer.calls.flatMap(call => call.messages)
  assert.deepEqual(all.slice(0, 3).map(m => m.partition), [0, 1, 0])
  assert.equal(all[1].value.subarray(8).toString(), 'cde')
  assert.ok(Number(all[0].value.readBigUInt64BE(0)) >= before)
  assert.equal(p.acked, 25)
  assert.equal(p.queueFullWaits, 1, 'the third call waited for the two in flight')
  assert.equal(p.histogram.totalCount, 25)
  const f = p.fields(new c.RequestStats())
  assert.equal(f.messages, 25)
  assert.equal(f.bytes, 13 * 8 + 12 * 8 + 13 * 2 + 12 * 3)
  assert.deepEqual(f.per_partition, { 0: 13, 1: 12 })
  assert.equal(f.produce_errors, 0)
  assert.equal(f.retries, null)
  assert.ok(f.send_s > 0)
})

test('a failed send() fails the run naming the first record of the call', async () => {
  const s = spec({ mode: 'produce', messages: 30, produce: { payload_file: '-', rate_msgs_per_s: null } })
  const p = new Producing(s, [Buffer.from('x')], { sendRecords: 10, sendsInFlight: 1 })
  await p.sendAll(fakeProducer({ failAt: 1 }), {}, 1e12, () => {})
  assert.equal(p.errors, 10)
  assert.match(p.deliveryError(), /record 10 to partition 0: KafkaJSError: boom/)
})

test('paced: each call carries the records due, stamped with their intended times', async () => {
  const s = spec({ mode: 'produce', messages: 20, produce: { payload_file: '-', rate_msgs_per_s: 1000 } })
  const p = new Producing(s, [Buffer.from('x')], { sendRecords: 1000, sendsInFlight: 5 })
  const producer = fakeProducer()
  const started = Date.now()
  await p.sendAll(producer, {}, 1e12, () => {})
  assert.ok(Date.now() - started >= 15, 'twenty records at 1,000/s take about 19 ms')
  const all = producer.calls.flatMap(call => call.messages)
  assert.equal(all.length, 20)
  const stamps = all.map(m => Number(m.value.readBigUInt64BE(0)))
  assert.equal(stamps[10] - stamps[0], 10000, 'record 10 is due 10 ms after record 0')
  assert.ok(producer.calls.length > 1, 'paced sends go as they fall due')
})
