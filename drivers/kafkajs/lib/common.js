'use strict'
// What kafkatune's KafkaJS driver shares between its consumer runs (consumer.js) and its
// producer runs (producer.js): the protocol's constants, progress lines, error wording, the
// properties' routing onto KafkaJS's objects, the resolved configuration, processing, GC.
// Nothing here needs a broker, so `node --test` covers it.

const fs = require('fs')
const { performance, PerformanceObserver } = require('perf_hooks')

const PROTOCOL_VERSION = 1
// Latency histogram bounds fixed by the protocol: 1 us .. 1 h, 3 significant digits.
const HIST_HIGHEST_US = 3600000000
const PROGRESS_INTERVAL_MS = 500 // "at most a few times a second"
const GROUP_PROGRESS_INTERVAL_MS = 200 // a group's remaining messages are sampled from these

// Where each KafkaJS setting goes (kafkatune's property table gives KafkaJS's own names,
// src/clients/kafkajs.rs). KafkaJS ignores an option it does not know, so the driver checks
// every name itself and fails the run naming the one it does not know.
const CLIENT_OPTIONS = ['clientId', 'connectionTimeout', 'authenticationTimeout',
  'reauthenticationThreshold', 'requestTimeout', 'enforceRequestTimeout']
const RETRY_OPTIONS = ['initialRetryTime', 'maxRetryTime', 'retries', 'factor', 'multiplier']
const CONSUMER_OPTIONS = ['sessionTimeout', 'rebalanceTimeout', 'heartbeatInterval',
  'metadataMaxAge', 'allowAutoTopicCreation', 'maxBytesPerPartition', 'minBytes', 'maxBytes',
  'maxWaitTimeInMs', 'readUncommitted', 'maxInFlightRequests', 'rackId']
const PRODUCER_OPTIONS = ['idempotent', 'maxInFlightRequests', 'transactionTimeout',
  'metadataMaxAge', 'allowAutoTopicCreation']
const SEND_OPTIONS = ['acks', 'timeout', 'compression']
// The driver's own producer settings (KafkaJS batches what one send() call is given):
// records per send() call and send() calls awaited at once.
const DRIVER_PRODUCER_OPTIONS = { sendRecords: 1000, sendsInFlight: 5 }
// Security, as kafkatune translates it (src/clients/kafkajs.rs): the SASL mechanism and
// credentials; KafkaJS takes them as one `sasl` object.
const SASL_OPTIONS = ['sasl.mechanism', 'sasl.username', 'sasl.password']
// TLS, as kafkatune translates PEM stores (src/clients/properties/tls.rs): file paths the
// driver reads into Node's tls.connect options, and the host name check.
const TLS_OPTIONS = ['ssl.ca', 'ssl.cert', 'ssl.key', 'ssl.passphrase', 'ssl.checkHostname']

// KafkaJS 2.2.4's own defaults (its documentation and src/consumer/index.js,
// src/producer/index.js, src/index.js), for the resolved configuration of the result.
// clientId: the driver's own (KafkaJS's is 'kafkajs').
const CLIENT_DEFAULTS = { clientId: 'kafkatune', connectionTimeout: 1000, authenticationTimeout: 10000,
  reauthenticationThreshold: 10000, requestTimeout: 30000, enforceRequestTimeout: true,
  'retry.initialRetryTime': 300, 'retry.maxRetryTime': 30000, 'retry.retries': 5,
  'retry.factor': 0.2, 'retry.multiplier': 2, ssl: false, sasl: null }
const CONSUMER_DEFAULTS = { sessionTimeout: 30000, rebalanceTimeout: 60000, heartbeatInterval: 3000,
  metadataMaxAge: 300000, allowAutoTopicCreation: true, maxBytesPerPartition: 1048576, minBytes: 1,
  maxBytes: 10485760, maxWaitTimeInMs: 5000, readUncommitted: false, maxInFlightRequests: null,
  rackId: null, autoCommit: false, eachBatchAutoResolve: false, partitionsConsumedConcurrently: 1 }
const PRODUCER_DEFAULTS = { idempotent: false, maxInFlightRequests: null, transactionTimeout: 60000,
  metadataMaxAge: 300000, allowAutoTopicCreation: true, acks: -1, timeout: 30000, compression: 'none',
  ...DRIVER_PRODUCER_OPTIONS }

/** The spec's properties split onto KafkaJS's objects: `client` (new Kafka), `role` (the
 * consumer's or producer's constructor), `send` (each send() call), `driver` (the producer
 * driver's own). Throws an Error naming a setting the role does not take. */
function routeProperties (properties, role) {
  const out = { client: {}, retry: {}, role: {}, send: {}, driver: {}, sasl: {}, ssl: false, tls: {} }
  const roleOptions = role === 'producer' ? PRODUCER_OPTIONS : CONSUMER_OPTIONS
  for (const [name, value] of Object.entries(properties || {})) {
    if (CLIENT_OPTIONS.includes(name)) out.client[name] = value
    else if (name.startsWith('retry.') && RETRY_OPTIONS.includes(name.slice(6))) out.retry[name.slice(6)] = value
    else if (roleOptions.includes(name)) out.role[name] = value
    else if (role === 'producer' && SEND_OPTIONS.includes(name)) out.send[name] = value
    else if (role === 'producer' && name in DRIVER_PRODUCER_OPTIONS) out.driver[name] = positiveInt(name, value)
    else if (SASL_OPTIONS.includes(name)) out.sasl[name.slice(5)] = value
    else if (name === 'ssl') out.ssl = value === true || value === 'true'
    else if (TLS_OPTIONS.includes(name)) out.tls[name.slice(4)] = value
    else {
      throw new Error(`KafkaJS ${role}: unknown setting \`${name}\` (KafkaJS 2.2.4 takes none by that name; ` +
        'kafkatune passes KafkaJS names, e.g. maxWaitTimeInMs, minBytes, sessionTimeout, acks)')
    }
  }
  if (Object.keys(out.sasl).length) {
    if (!out.sasl.mechanism) throw new Error('KafkaJS: SASL credentials without sasl.mechanism')
    out.sasl.mechanism = String(out.sasl.mechanism).toLowerCase()
  } else out.sasl = null
  return out
}

function positiveInt (name, value) {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1) throw new Error(`KafkaJS driver: \`${name}\` must be a whole number >= 1, not ${JSON.stringify(value)}`)
  return n
}

/** The Kafka client options (new Kafka(...)) from the routed properties. */
function kafkaOptions (bootstrap, routed, logLevel) {
  const options = {
    clientId: 'kafkatune',
    brokers: String(bootstrap).split(',').map(s => s.trim()).filter(Boolean),
    logLevel,
    ...routed.client
  }
  if (Object.keys(routed.retry).length) options.retry = { ...routed.retry }
  if (routed.sasl) options.sasl = routed.sasl
  if (routed.ssl) options.ssl = tlsOptions(routed.tls)
  return options
}

/** Node's tls.connect options from the PEM files kafkatune names (`true`: the system's CAs). */
function tlsOptions (tls, read = p => fs.readFileSync(p)) {
  if (!Object.keys(tls).length) return true
  const out = {}
  if (tls.ca) out.ca = [read(tls.ca)]
  if (tls.cert) out.cert = read(tls.cert)
  if (tls.key) out.key = read(tls.key)
  if (tls.passphrase) out.passphrase = tls.passphrase
  if (tls.checkHostname === false || tls.checkHostname === 'false') out.checkServerIdentity = () => undefined
  return out
}

/** The whole configuration as the run used it: KafkaJS's defaults with what was set on top,
 * values as text, the SASL password masked. KafkaJS has no configuration dump of its own. */
function resolvedConfig (role, routed, set) {
  const conf = { ...CLIENT_DEFAULTS, ...(role === 'producer' ? PRODUCER_DEFAULTS : CONSUMER_DEFAULTS) }
  Object.assign(conf, routed.client, routed.role, routed.send, routed.driver, set || {})
  for (const [k, v] of Object.entries(routed.retry)) conf['retry.' + k] = v
  conf.ssl = routed.ssl
  for (const [k, v] of Object.entries(routed.tls)) conf['ssl.' + k] = k === 'passphrase' ? '*****' : v
  if (routed.sasl) {
    delete conf.sasl
    conf['sasl.mechanism'] = routed.sasl.mechanism
    conf['sasl.username'] = routed.sasl.username
    conf['sasl.password'] = '*****'
  }
  const out = {}
  for (const k of Object.keys(conf).sort()) out[k] = conf[k] === null || conf[k] === undefined ? 'null' : String(conf[k])
  return out
}

/** The spec's `processing` (docs/driver-protocol.md, "Processing") or null; throws naming
 * the field that is wrong. */
function processingFromSpec (obj) {
  if (obj === null || obj === undefined) return null
  if (typeof obj !== 'object' || Array.isArray(obj)) throw new Error('processing must be a JSON object or null')
  const { per, work, duration_us: us } = obj
  if (per !== 'record' && per !== 'poll') throw new Error(`processing.per must be "record" or "poll", got ${JSON.stringify(per)}`)
  if (work !== 'busy' && work !== 'sleep') throw new Error(`processing.work must be "busy" or "sleep", got ${JSON.stringify(work)}`)
  if (!Number.isInteger(us) || us < 0) throw new Error('processing.duration_us must be a whole number >= 0')
  return { perRecord: per === 'record', durationUs: us, busy: work === 'busy' }
}

/** Microseconds of processing for one poll that handed `records` counted records. */
function processingUs (processing, records) {
  if (!processing || records <= 0) return 0
  return processing.perRecord ? processing.durationUs * records : processing.durationUs
}

const sleepMs = ms => new Promise(resolve => setTimeout(resolve, ms))

/** Does one poll's processing; resolves to the seconds it took (monotonic clock). Busy work
 * spins on performance.now() (the event loop is occupied, as CPU-bound work occupies it);
 * sleep work waits on a timer, again if woken early. */
async function applyProcessing (processing, records) {
  const us = processingUs(processing, records)
  const start = performance.now()
  if (us <= 0) return 0
  const end = start + us / 1000
  if (processing.busy) {
    while (performance.now() < end) { /* spin */ }
  } else {
    let left = end - performance.now()
    while (left > 0) {
      await sleepMs(left)
      left = end - performance.now()
    }
  }
  return (performance.now() - start) / 1000
}

/** Time between the starts of successive counted polls (Java's time-between-poll), ms. */
class PollIntervals {
  constructor () { this.last = null; this.count = 0; this.total = 0; this.longest = 0 }
  pollStarts (nowMs) {
    if (this.last !== null) {
      const gap = nowMs - this.last
      this.count++
      this.total += gap
      if (gap > this.longest) this.longest = gap
    }
    this.last = nowMs
  }

  avgMs () { return this.count ? this.total / this.count : null }
  maxMs () { return this.count ? this.longest : null }
}

/** Node's garbage collections from perf_hooks ('gc' entries): how many and their pauses. */
class GcStats {
  constructor () {
    this.count = 0
    this.timeMs = 0
    this.observer = new PerformanceObserver(list => {
      for (const entry of list.getEntries()) {
        this.count++
        this.timeMs += entry.duration
      }
    })
    this.observer.observe({ entryTypes: ['gc'] })
  }

  stop () { this.observer.disconnect() }
}

/** An HdrHistogram V2 compressed base64 encoding made standard: hdr-histogram-js 3.0.1
 * writes its header's normalizingIndexOffset as 1 and integerToDoubleValueConversionRatio as
 * the integer 1 (JsHistogram.encoding.js), which other readers refuse (the Rust hdrhistogram
 * crate: UnsupportedFeature). Its counts are not shifted, so the offset is 0 and the ratio
 * the double 1.0; the payload is kept as it is. */
function standardHistogramBase64 (base64) {
  const zlib = require('zlib')
  const outer = Buffer.from(base64, 'base64')
  if (outer.readUInt32BE(0) !== 0x1c849314) throw new Error('not a V2 compressed HdrHistogram')
  const inner = zlib.inflateSync(outer.subarray(8, 8 + outer.readUInt32BE(4)))
  inner.writeUInt32BE(0, 8)
  inner.writeDoubleBE(1.0, 32)
  const compressed = zlib.deflateSync(inner)
  const head = Buffer.alloc(8)
  head.writeUInt32BE(0x1c849314, 0)
  head.writeUInt32BE(compressed.length, 4)
  return Buffer.concat([head, compressed]).toString('base64')
}

/** Wall clock, microseconds since the epoch (performance.timeOrigin + now: sub-ms). */
const unixUs = () => Math.round((performance.timeOrigin + performance.now()) * 1000)

/** Intended send time (us since the epoch) from a payload's first 8 bytes, or null. */
function decodeSendUs (value) {
  if (!value || value.length < 8) return null
  return Number(value.readBigUInt64BE(0))
}

let stdoutOpen = true
/** One progress line on stdout; a closed stdout is not the run's failure. */
function emit (event) {
  if (!stdoutOpen) return
  try {
    fs.writeSync(1, JSON.stringify(event) + '\n')
  } catch (_) {
    stdoutOpen = false
  }
}

/** A one-line error: `Name: message`, KafkaJS's cause appended. */
function oneLine (err) {
  if (!(err instanceof Error)) return String(err).split(/\s+/).join(' ')
  let text = `${err.name}: ${err.message}`
  if (err.message && err.message.startsWith(err.name)) text = err.message
  if (err.cause && err.cause.message && !text.includes(err.cause.message)) text += ` (${err.cause.message})`
  return text.split(/\s+/).join(' ')
}

function timeoutError (spec, messages) {
  return `timed out after ${Number(spec.timeout_s)} s with ${messages} of ${Number(spec.messages)} messages`
}

/** Writes the one result document exactly once (temporary file, then rename). */
class ResultWriter {
  constructor (path) { this.path = path; this.written = false }
  write (doc) {
    if (this.written) return
    const tmp = this.path + '.tmp'
    fs.writeFileSync(tmp, JSON.stringify(doc) + '\n')
    fs.renameSync(tmp, this.path)
    this.written = true
  }
}

/** A finite number or null (NaN, Infinity and non-numbers are no figure). */
const finite = v => (typeof v === 'number' && Number.isFinite(v) ? v : null)

/** Request statistics from KafkaJS's `network.request` instrumentation events, by API. */
class RequestStats {
  constructor () { this.byApi = new Map() }
  record (payload) {
    const api = payload.apiName
    let s = this.byApi.get(api)
    if (!s) { s = { count: 0, durationTotal: 0, durationMax: 0, sizeTotal: 0 }; this.byApi.set(api, s) }
    s.count++
    s.durationTotal += payload.duration || 0
    s.durationMax = Math.max(s.durationMax, payload.duration || 0)
    s.sizeTotal += payload.size || 0
  }

  get (api) { return this.byApi.get(api) || null }
  /** A flat object for client_metrics: `Fetch.count`, `Fetch.duration.avg.ms`, ... */
  flat () {
    const out = {}
    for (const [api, s] of this.byApi) {
      out[`${api}.count`] = s.count
      out[`${api}.duration.avg.ms`] = s.durationTotal / s.count
      out[`${api}.duration.max.ms`] = s.durationMax
      out[`${api}.response.bytes.avg`] = s.sizeTotal / s.count
    }
    return out
  }
}

module.exports = {
  PROTOCOL_VERSION,
  HIST_HIGHEST_US,
  PROGRESS_INTERVAL_MS,
  GROUP_PROGRESS_INTERVAL_MS,
  DRIVER_PRODUCER_OPTIONS,
  routeProperties,
  kafkaOptions,
  tlsOptions,
  resolvedConfig,
  processingFromSpec,
  processingUs,
  applyProcessing,
  PollIntervals,
  GcStats,
  RequestStats,
  unixUs,
  standardHistogramBase64,
  decodeSendUs,
  emit,
  oneLine,
  timeoutError,
  ResultWriter,
  finite,
  sleepMs
}
