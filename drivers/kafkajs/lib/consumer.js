'use strict'
// The consumer runs of kafkatune's KafkaJS driver (docs/driver-protocol.md): drain, live,
// subscribe groups, processing. KafkaJS's `eachBatch` is its poll: each call hands one
// partition's records of one fetch, which the driver hands on in pieces of at most
// `max_poll_records` (each piece is one poll of the result's statistics).
//
// KafkaJS always joins a group to consume (it has no assign()): an `assign` run joins a
// throwaway group of its own (`kafkatune-kafkajs-...`, never committed, deleted at the end),
// seeks each partition to its start offset when it is assigned and counts only the spec's
// partitions.

const fs = require('fs')
const { performance } = require('perf_hooks')
const c = require('./common')

const FILE_CHECK_INTERVAL_MS = 20

/** Cuts one eachBatch call's records into polls of at most `maxPollRecords`. */
function pieces (messages, maxPollRecords) {
  const out = []
  for (let i = 0; i < messages.length; i += maxPollRecords) out.push(messages.slice(i, i + maxPollRecords))
  return out
}

/** The records of one poll to count, in order: at or above the partition's start offset,
 * above what was counted already, below its end offset, and no more than `remaining`. */
function countable (messages, { start, countedTo, end, remaining }) {
  const out = []
  for (const m of messages) {
    if (out.length >= remaining) break
    const offset = Number(m.offset)
    if (offset < start || (countedTo !== undefined && offset < countedTo)) continue
    if (end !== undefined && end !== null && offset >= end) break
    out.push(m)
  }
  return out
}

/** The consumer's state: what was measured so far (read by the result builder). */
class ConsumerRun {
  constructor (spec) {
    this.spec = spec
    this.target = Number(spec.messages)
    this.maxPollRecords = Math.max(1, Number(spec.max_poll_records))
    this.subscribe = spec.assignment === 'subscribe'
    this.live = spec.mode === 'live' ? spec.live : null
    this.warmupEndUs = this.live ? Number(this.live.warmup_end_unix_us) : 0
    this.processing = c.processingFromSpec(spec.processing)
    this.processingS = 0
    this.messages = 0
    this.bytes = 0
    this.polls = 0
    this.emptyPolls = 0
    this.recordsPerPollMax = 0
    this.eachBatchCalls = 0
    this.batchRecordsMax = 0
    this.perPartition = new Map()
    this.starts = new Map()
    this.ends = new Map()
    for (const p of spec.partitions || []) {
      this.starts.set(Number(p.partition), Number(p.start_offset || 0))
      if (p.end_offset !== undefined && p.end_offset !== null) this.ends.set(Number(p.partition), Number(p.end_offset))
      if (!this.subscribe) this.perPartition.set(Number(p.partition), 0)
    }
    this.countedTo = new Map()
    this.handedTo = new Map() // the offset after the last record handed, per partition
    this.held = new Set()
    this.assignedPartitions = this.subscribe ? [] : [...this.starts.keys()]
    this.joinS = null
    this.rebalances = 0
    this.intervals = new c.PollIntervals()
    this.readyUs = null
    this.firstUs = null
    this.lastUs = null
    this.firstPerf = null
    this.lastPerf = null
    this.recordsLagMax = null
    this.histogram = null
    this.started = !spec.start_file // a group's members count nothing before the start file
    this.fetchRounds = new Map() // nodeId -> records handed since that node's last fetch
    this.leaders = new Map() // partition -> leader node id
  }

  remaining () { return this.target - this.messages }

  /** One eachBatch call: returns the offset to resolve (the last handed), or null for none. */
  async onBatch (batch, now) {
    const partition = Number(batch.partition)
    const messages = batch.messages
    if (!messages.length) return null
    this.eachBatchCalls++
    this.batchRecordsMax = Math.max(this.batchRecordsMax, messages.length)
    const leader = this.leaders.get(partition)
    if (leader !== undefined) this.fetchRounds.set(leader, (this.fetchRounds.get(leader) || 0) + messages.length)
    const lag = Number(batch.offsetLag())
    if (Number.isFinite(lag)) this.recordsLagMax = Math.max(this.recordsLagMax || 0, lag)
    for (const piece of pieces(messages, this.maxPollRecords)) {
      if (this.remaining() <= 0) break
      const pollStart = performance.now()
      this.polls++
      this.intervals.pollStarts(pollStart)
      this.recordsPerPollMax = Math.max(this.recordsPerPollMax, piece.length)
      const nowUs = now()
      const counted = countable(piece, {
        start: this.starts.get(partition) ?? 0,
        countedTo: this.countedTo.get(partition),
        end: this.ends.get(partition),
        remaining: this.remaining()
      })
      this.handedTo.set(partition, Number(piece[piece.length - 1].offset) + 1)
      if (!counted.length) continue
      this.countedTo.set(partition, Number(counted[counted.length - 1].offset) + 1)
      this.perPartition.set(partition, (this.perPartition.get(partition) || 0) + counted.length)
      this.messages += counted.length
      for (const m of counted) {
        this.bytes += m.value ? m.value.length : 0
        if (this.histogram) this.recordLatency(m.value, nowUs)
      }
      if (this.firstPerf === null) {
        this.firstPerf = pollStart
        this.firstUs = nowUs
      }
      let lastPerf = performance.now()
      let lastUs = nowUs + Math.round((lastPerf - pollStart) * 1000)
      if (this.processing) {
        this.processingS += await c.applyProcessing(this.processing, counted.length)
        lastPerf = performance.now()
        lastUs = c.unixUs()
      }
      this.lastPerf = lastPerf
      this.lastUs = lastUs
    }
    return Number(messages[messages.length - 1].offset)
  }

  recordLatency (value, nowUs) {
    const sendUs = c.decodeSendUs(value)
    if (sendUs === null || sendUs < this.warmupEndUs) return
    this.histogram.recordValue(Math.min(Math.max(nowUs - sendUs, 0), c.HIST_HIGHEST_US))
  }

  /** A node's fetch round begins: the previous one handed nothing, an empty poll. */
  onFetchStart (nodeId, seen) {
    if (!this.started) return
    if (seen.has(nodeId) && !this.fetchRounds.get(nodeId)) {
      this.polls++
      this.emptyPolls++
    }
    seen.add(nodeId)
    this.fetchRounds.set(nodeId, 0)
  }

  partitionDone (p) {
    const end = this.ends.get(p)
    return end !== undefined && (this.countedTo.get(p) ?? this.starts.get(p) ?? 0) >= end
  }

  fields () {
    const consumeS = this.firstPerf !== null && this.lastPerf !== null ? (this.lastPerf - this.firstPerf) / 1000 : null
    return {
      messages: this.messages,
      bytes: this.bytes,
      ready_unix_us: this.readyUs,
      first_record_unix_us: this.firstUs,
      last_record_unix_us: this.lastUs,
      consume_s: consumeS,
      polls: this.polls,
      empty_polls: this.emptyPolls,
      records_per_poll_max: this.recordsPerPollMax,
      per_partition: Object.fromEntries([...this.perPartition.entries()].sort((a, b) => a[0] - b[0]).map(([p, n]) => [String(p), n])),
      assigned_partitions: [...this.assignedPartitions].sort((a, b) => a - b),
      join_s: this.joinS,
      rebalances: this.rebalances,
      processing_s: this.processing ? this.processingS : null,
      poll_interval_avg_ms: this.intervals.avgMs(),
      poll_interval_max_ms: this.intervals.maxMs(),
      // KafkaJS has no max.poll.interval.ms: a slow member misses heartbeats instead.
      max_poll_exceeded: null,
      records_lag_max: this.recordsLagMax
    }
  }
}

/** Fetch statistics for the result from the requests KafkaJS reported. */
function fetchFields (requests) {
  const f = requests.get('Fetch')
  return {
    fetch_requests: f ? f.count : null,
    fetch_latency_avg_ms: f ? f.durationTotal / f.count : null,
    fetch_latency_max_ms: f ? f.durationMax : null,
    fetch_bytes_avg: f ? f.sizeTotal / f.count : null
  }
}

function readWarmupEnd (path) {
  try {
    const text = fs.readFileSync(path, 'utf8').trim()
    return text ? Number(text) : null
  } catch (_) {
    return null
  }
}

/** Runs the consumer; `ctx` holds the Kafka module, the deadline and where objects go for
 * main's clean-up. Resolves to [status, error]. */
async function run (spec, ctx, state) {
  const { Kafka, logLevel } = ctx.kafkajs
  const routed = c.routeProperties(spec.properties, 'consumer')
  state.routed = routed
  const topic = spec.topic
  const groupId = state.run.subscribe
    ? spec.group_id
    : `kafkatune-kafkajs-${spec.run_id || 'run'}-${process.pid}-${Date.now().toString(16)}`
  state.throwawayGroup = state.run.subscribe ? null : groupId
  const set = { groupId, autoCommit: false, eachBatchAutoResolve: false }
  state.config = c.resolvedConfig('consumer', routed, set)
  const kafka = new Kafka(c.kafkaOptions(spec.bootstrap_servers, routed, logLevel.WARN))
  state.kafka = kafka
  const r = state.run
  if (r.live) r.histogram = ctx.newHistogram()

  state.phase = 'reading the topic\'s metadata'
  const admin = kafka.admin()
  state.admin = admin
  await admin.connect()
  const meta = await admin.fetchTopicMetadata({ topics: [topic] })
  for (const p of meta.topics[0].partitions) r.leaders.set(Number(p.partitionId), Number(p.leader))

  state.phase = 'creating the consumer'
  const consumer = kafka.consumer({ groupId, ...routed.role })
  state.consumer = consumer
  const ev = consumer.events
  consumer.on(ev.REQUEST, e => ctx.requests.record(e.payload))
  const seen = new Set()
  consumer.on(ev.FETCH_START, e => r.onFetchStart(Number(e.payload.nodeId), seen))
  let subscribedPerf = null
  let stopRequested = false
  let finish
  const finished = new Promise(resolve => { finish = resolve })

  const report = () => c.emit({ event: 'progress', messages: r.messages })
  const reportAssigned = () => {
    r.assignedPartitions = [...r.held]
    c.emit({ event: 'assigned', partitions: [...r.held].sort((a, b) => a - b) })
  }
  const pauseHeld = parts => { if (parts.length) consumer.pause([{ topic, partitions: parts }]) }
  const commit = async () => {
    const partitions = [...r.held].filter(p => r.handedTo.has(p))
    if (!r.subscribe || !partitions.length) return
    try {
      await consumer.commitOffsets(partitions.map(p => ({ topic, partition: p, offset: String(r.handedTo.get(p)) })))
    } catch (err) {
      process.stderr.write(`kafkatune-kafkajs: commit failed: ${c.oneLine(err)}\n`)
    }
  }

  consumer.on(ev.GROUP_JOIN, e => {
    r.rebalances++
    const assigned = (e.payload.memberAssignment[topic] || []).map(Number)
    if (r.joinS === null && subscribedPerf !== null) r.joinS = (performance.now() - subscribedPerf) / 1000
    r.held = new Set(assigned.filter(p => !r.subscribe ? r.starts.has(p) : true))
    if (!r.subscribe) {
      // The throwaway group commits nothing: every partition starts where the spec says.
      for (const p of r.held) consumer.seek({ topic, partition: p, offset: String(r.handedTo.get(p) ?? r.starts.get(p)) })
      pauseHeld(assigned.filter(p => !r.starts.has(p)))
      if (r.readyUs === null) {
        r.readyUs = c.unixUs()
        c.emit({ event: 'ready' })
      }
      return
    }
    for (const p of assigned) if (!r.perPartition.has(p)) r.perPartition.set(p, 0)
    pauseHeld(assigned.filter(p => !r.started || r.partitionDone(p)))
    // A partition this member paused before (held earlier, or revoked mid-batch) and now
    // holds again runs, unless it is done.
    const go = assigned.filter(p => r.started && !r.partitionDone(p))
    if (go.length) consumer.resume([{ topic, partitions: go }])
    reportAssigned()
    // A partition the group has no commit for starts at the spec's start offset.
    admin.fetchOffsets({ groupId, topics: [topic] }).then(res => {
      for (const { partition, offset } of res[0].partitions) {
        const p = Number(partition)
        if (r.held.has(p) && Number(offset) < 0 && !r.handedTo.has(p) && r.starts.has(p)) {
          consumer.seek({ topic, partition: p, offset: String(r.starts.get(p)) })
        }
      }
    }).catch(err => process.stderr.write(`kafkatune-kafkajs: fetchOffsets: ${c.oneLine(err)}\n`))
  })
  consumer.on(ev.CRASH, e => process.stderr.write(`kafkatune-kafkajs: consumer crashed: ${c.oneLine(e.payload.error)} (restart: ${e.payload.restart})\n`))

  let nextProgress = performance.now() + (r.subscribe ? c.GROUP_PROGRESS_INTERVAL_MS : c.PROGRESS_INTERVAL_MS)
  let emitted = 0
  let wasDone = false
  const eachBatch = async ({ batch, resolveOffset, pause }) => {
    const partition = Number(batch.partition)
    if (!r.started || stopRequested || !r.held.has(partition) || r.remaining() <= 0) {
      // Not counted now: leave the offsets unresolved, so the records come again.
      if (!r.started && r.held.has(partition)) pause()
      return
    }
    const last = await r.onBatch(batch, c.unixUs)
    if (last !== null) resolveOffset(String(last))
    if (r.subscribe) {
      await commit()
      if (r.partitionDone(partition)) pause()
    }
    const now = performance.now()
    const allDone = r.subscribe && r.held.size > 0 && [...r.held].every(p => r.partitionDone(p))
    if ((allDone && !wasDone) || (now >= nextProgress && r.messages !== emitted)) {
      report()
      emitted = r.messages
      nextProgress = now + (r.subscribe ? c.GROUP_PROGRESS_INTERVAL_MS : c.PROGRESS_INTERVAL_MS)
    }
    wasDone = allDone
    if (r.remaining() <= 0) finish(null)
  }

  state.phase = r.subscribe ? 'joining the group' : 'joining its throwaway group'
  await consumer.connect()
  await consumer.subscribe({ topic, fromBeginning: true })
  subscribedPerf = performance.now()
  if (r.subscribe) {
    r.readyUs = c.unixUs()
    c.emit({ event: 'ready' })
  }
  consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch }).catch(err => finish(c.oneLine(err)))
  state.phase = 'consuming'

  let timer = null
  if (spec.start_file || spec.stop_file) {
    timer = setInterval(() => {
      if (!r.started && spec.start_file && fs.existsSync(spec.start_file)) {
        if (r.live) {
          const end = readWarmupEnd(spec.start_file)
          if (end !== null) r.warmupEndUs = end
        }
        r.started = true
        const go = [...r.held].filter(p => !r.partitionDone(p))
        if (go.length) consumer.resume([{ topic, partitions: go }])
      }
      if (spec.stop_file && !stopRequested && fs.existsSync(spec.stop_file)) {
        stopRequested = true
        finish(null)
      }
    }, FILE_CHECK_INTERVAL_MS)
  }
  const left = Math.max(0, ctx.deadline - performance.now())
  const deadline = setTimeout(() => finish(c.timeoutError(spec, r.messages)), left)
  const error = await finished
  clearTimeout(deadline)
  if (timer) clearInterval(timer)
  stopRequested = true
  await commit()
  report()
  return [error ? 'failed' : 'ok', error]
}

module.exports = { run, ConsumerRun, pieces, countable, fetchFields, readWarmupEnd }
