'use strict'
// The producer runs of kafkatune's KafkaJS driver (docs/driver-protocol.md, "Producer runs").
//
// KafkaJS has no linger.ms and no batch.size: it sends what one send() call is given, one
// request per broker. So the driver gives each send() call up to `sendRecords` records
// (1,000 by default; the records due by then when paced) and keeps up to `sendsInFlight`
// calls (5) unanswered; a call that finds them all in flight waits (`queue_full_waits`).
// Both are the driver's own settings, set with -X kafkajs.sendRecords=N,
// -X kafkajs.sendsInFlight=N. Record i goes to partitions[i % len], its value the 8-byte
// send time (the moment of its send() call, or its intended time when paced) and body i % n.

const fs = require('fs')
const { performance } = require('perf_hooks')
const c = require('./common')

/** The bodies of a length-prefixed payload file (4-byte big-endian length, then the body). */
function parsePayload (data, name = 'payload file') {
  const bodies = []
  let offset = 0
  while (offset < data.length) {
    if (data.length - offset < 4) throw new Error(`${name} is truncated at offset ${offset}: a length prefix needs 4 bytes, ${data.length - offset} left`)
    const length = data.readUInt32BE(offset)
    const start = offset + 4
    if (start + length > data.length) throw new Error(`${name} is truncated at offset ${offset}: the body there is ${length} bytes long, ${data.length - start} left`)
    bodies.push(data.subarray(start, start + length))
    offset = start + length
  }
  if (!bodies.length) throw new Error(`${name} holds no record body (it is empty)`)
  return bodies
}

function sendRate (spec) {
  const rate = (spec.produce || {}).rate_msgs_per_s
  if (rate === null || rate === undefined) return null
  if (!(Number(rate) > 0)) throw new Error(`produce.rate_msgs_per_s must be positive or null, not ${rate}`)
  return Number(rate)
}

/** One producer run's sends and acknowledgements. */
class Producing {
  constructor (spec, bodies, options) {
    this.spec = spec
    this.topic = spec.topic
    this.partitions = (spec.partitions || []).map(p => Number(p.partition))
    if (!this.partitions.length) throw new Error('the spec names no partition to send to')
    this.target = Number(spec.messages)
    this.rate = sendRate(spec)
    const produce = spec.produce || {}
    this.warmupRecords = Number(produce.warmup_records || 0)
    this.fromIntended = Boolean(produce.latency_from_intended) && this.rate !== null
    this.bodies = bodies
    this.sendRecords = options.sendRecords
    this.sendsInFlight = options.sendsInFlight
    this.sent = 0
    this.acked = 0
    this.bytes = 0
    this.errors = 0
    this.firstError = null
    this.perPartition = new Map(this.partitions.map(p => [p, 0]))
    this.firstSendPerf = null
    this.firstSendUs = null
    this.lastAckPerf = null
    this.queueFullWaits = 0
    this.sendCalls = 0
    this.histogram = null
  }

  /** The messages of records [from, to): values stamped with `stampsUs(i)`. */
  messages (from, to, stampUs) {
    const out = []
    for (let i = from; i < to; i++) {
      const stamp = Buffer.allocUnsafe(8)
      stamp.writeBigUInt64BE(BigInt(stampUs(i)))
      const body = this.bodies[i % this.bodies.length]
      out.push({ value: Buffer.concat([stamp, body], 8 + body.length), partition: this.partitions[i % this.partitions.length] })
    }
    return out
  }

  onAck (from, to, messages, startPerf, dueOf) {
    const now = performance.now()
    this.lastAckPerf = this.lastAckPerf === null ? now : Math.max(this.lastAckPerf, now)
    for (let i = from; i < to; i++) {
      const m = messages[i - from]
      this.acked++
      this.bytes += m.value.length
      this.perPartition.set(m.partition, (this.perPartition.get(m.partition) || 0) + 1)
      if (i < this.warmupRecords || !this.histogram) continue
      const begin = this.fromIntended ? dueOf(i) : startPerf
      this.histogram.recordValue(Math.min(Math.max(Math.round((now - begin) * 1000), 0), c.HIST_HIGHEST_US))
    }
  }

  onError (from, to, err) {
    this.errors += to - from
    if (this.firstError === null) this.firstError = [from, err]
  }

  /** Sends every record; resolves to true when the deadline stopped it. */
  async sendAll (producer, sendOptions, deadlinePerf, onProgress) {
    const t0 = performance.now()
    const t0Us = c.unixUs()
    const period = this.rate !== null ? 1000 / this.rate : null
    const dueOf = i => t0 + i * period
    const inFlight = new Set()
    let i = 0
    while (i < this.target) {
      if (this.firstError !== null) break
      let to = Math.min(this.target, i + this.sendRecords)
      let stampUs
      if (period === null) {
        const us = c.unixUs()
        stampUs = () => us
      } else {
        const wait = dueOf(i) - performance.now()
        if (wait > 0) await c.sleepMs(wait)
        // Every record due by now goes in this call (at most sendRecords).
        const due = Math.floor((performance.now() - t0) / period) + 1
        to = Math.max(i + 1, Math.min(to, due))
        stampUs = k => t0Us + Math.round(k * period * 1000)
      }
      if (inFlight.size >= this.sendsInFlight) {
        this.queueFullWaits++
        await Promise.race(inFlight)
      }
      const startPerf = performance.now()
      if (startPerf >= deadlinePerf) return true
      if (i === 0) {
        this.firstSendPerf = startPerf
        this.firstSendUs = period === null ? stampUs(0) : c.unixUs()
      }
      const from = i
      const messages = this.messages(from, to, stampUs)
      this.sendCalls++
      const p = producer.send({ topic: this.topic, messages, ...sendOptions })
        .then(() => this.onAck(from, to, messages, startPerf, dueOf), err => this.onError(from, to, err))
        .finally(() => inFlight.delete(p))
      inFlight.add(p)
      this.sent = to
      i = to
      onProgress()
    }
    const left = deadlinePerf - performance.now()
    let timer
    const timedOut = new Promise(resolve => { timer = setTimeout(() => resolve(true), Math.max(0, left)) })
    const result = await Promise.race([Promise.all([...inFlight]).then(() => false), timedOut])
    clearTimeout(timer)
    return result
  }

  deliveryError () {
    if (this.firstError === null) return null
    const [index, err] = this.firstError
    const partition = this.partitions[index % this.partitions.length]
    return `${this.errors} of ${this.target} records failed delivery; the first, record ${index} to partition ${partition}: ${c.oneLine(err)}`
  }

  /** The producer's fields of the result document. */
  fields (requests) {
    const produce = requests.get('Produce')
    let sendS = null
    let lastUs = null
    if (this.firstSendPerf !== null && this.lastAckPerf !== null) {
      sendS = (this.lastAckPerf - this.firstSendPerf) / 1000
      lastUs = this.firstSendUs + Math.round((this.lastAckPerf - this.firstSendPerf) * 1000)
    }
    return {
      messages: this.acked,
      bytes: this.bytes,
      first_record_unix_us: this.firstSendUs,
      last_record_unix_us: lastUs,
      send_s: sendS,
      produce_errors: this.errors,
      queue_full_waits: this.queueFullWaits,
      per_partition: Object.fromEntries([...this.perPartition.entries()].sort((a, b) => a[0] - b[0]).map(([p, n]) => [String(p), n])),
      assigned_partitions: [...new Set(this.partitions)].sort((a, b) => a - b),
      join_s: null,
      rebalances: 0,
      // KafkaJS reports no retries, batch sizes or compression figures, and its request
      // events carry response sizes only: those stay null.
      retries: null,
      produce_requests: produce ? produce.count : null,
      records_per_request_avg: produce && this.acked ? this.acked / produce.count : null,
      batch_size_avg_bytes: null,
      compression_ratio: null,
      bytes_on_wire: null
    }
  }
}

/** A whole producer run: payload, producer, metadata, `ready`, sends. */
async function run (spec, ctx, state) {
  const { Kafka, logLevel, CompressionTypes } = ctx.kafkajs
  state.phase = 'reading the payload file'
  const bodies = parsePayload(fs.readFileSync(spec.produce.payload_file), `payload file ${spec.produce.payload_file}`)
  const routed = c.routeProperties(spec.properties, 'producer')
  state.routed = routed
  const options = { ...c.DRIVER_PRODUCER_OPTIONS, ...routed.driver }
  state.config = c.resolvedConfig('producer', routed, {})
  const sendOptions = { ...routed.send }
  if ('acks' in sendOptions) sendOptions.acks = sendOptions.acks === 'all' ? -1 : Number(sendOptions.acks)
  if ('compression' in sendOptions) {
    const codec = String(sendOptions.compression).toLowerCase()
    const type = { none: CompressionTypes.None, gzip: CompressionTypes.GZIP }[codec]
    if (type === undefined) throw new Error(`KafkaJS has only gzip built in: compression \`${codec}\` needs a codec package the driver does not install`)
    sendOptions.compression = type
  }
  const producing = state.produce = new Producing(spec, bodies, options)
  producing.histogram = ctx.newHistogram()
  const kafka = new Kafka(c.kafkaOptions(spec.bootstrap_servers, routed, logLevel.WARN))
  state.phase = 'fetching the topic\'s metadata'
  const admin = kafka.admin()
  state.admin = admin
  await admin.connect()
  const meta = await admin.fetchTopicMetadata({ topics: [spec.topic] })
  const known = new Set(meta.topics[0].partitions.map(p => Number(p.partitionId)))
  const missing = producing.partitions.filter(p => !known.has(p))
  if (missing.length) throw new Error(`topic ${spec.topic} has no partition ${missing.join(',')} (it has ${[...known].sort((a, b) => a - b).join(',') || 'none'})`)
  state.phase = 'creating the producer'
  const producer = kafka.producer(routed.role)
  state.producer = producer
  producer.on(producer.events.REQUEST, e => ctx.requests.record(e.payload))
  await producer.connect()
  state.readyUs = c.unixUs()
  c.emit({ event: 'ready' })
  state.phase = 'sending'
  let nextProgress = performance.now() + c.PROGRESS_INTERVAL_MS
  const progress = () => {
    const now = performance.now()
    if (now >= nextProgress) {
      c.emit({ event: 'progress', messages: producing.acked })
      nextProgress = now + c.PROGRESS_INTERVAL_MS
    }
  }
  const ticker = setInterval(progress, c.PROGRESS_INTERVAL_MS)
  const timedOut = await producing.sendAll(producer, sendOptions, ctx.deadline, progress)
  clearInterval(ticker)
  c.emit({ event: 'progress', messages: producing.acked })
  let error = producing.deliveryError()
  if (error === null && timedOut) error = c.timeoutError(spec, producing.acked)
  if (error === null && producing.acked !== producing.target) error = `${producing.acked} of ${producing.target} records acknowledged`
  return [error ? 'failed' : 'ok', error]
}

module.exports = { run, Producing, parsePayload, sendRate }
