#!/usr/bin/env node
'use strict'
// kafkatune's KafkaJS client driver (driver protocol version 1, docs/driver-protocol.md).
// Run as `node kafkatune_kafkajs.js SPEC_PATH RESULT_PATH` from the folder where kafkatune
// ran `npm ci` (its cache). It reads one trial spec, consumes exactly `messages` records with
// KafkaJS's eachBatch (lib/consumer.js) or, with "mode": "produce", sends exactly that many
// (lib/producer.js), and writes one result document.

const fs = require('fs')
const { performance } = require('perf_hooks')
const c = require('./lib/common')
const consumerRun = require('./lib/consumer')
const producerRun = require('./lib/producer')

const CLOSE_TIMEOUT_MS = 3000
const POLL_API = 'eachBatch'

/** The result document from what the run measured so far. */
function buildResult (spec, state, status, error, ctx) {
  const doc = {
    protocol_version: c.PROTOCOL_VERSION,
    status,
    error,
    client: spec.client || 'kafkajs',
    client_version: ctx.version,
    messages: 0,
    bytes: 0,
    ready_unix_us: state.readyUs ?? null,
    first_record_unix_us: null,
    last_record_unix_us: null,
    consume_s: null,
    polls: null,
    empty_polls: null,
    records_per_poll_max: null,
    per_partition: {},
    assigned_partitions: [],
    join_s: null,
    rebalances: 0,
    fetch_requests: null,
    fetch_latency_avg_ms: null,
    fetch_latency_max_ms: null,
    fetch_bytes_avg: null,
    records_lag_max: null,
    // Node's garbage collections (perf_hooks 'gc' entries), as the JVM's are reported.
    gc_count: ctx.gc ? ctx.gc.count : null,
    gc_time_ms: ctx.gc ? ctx.gc.timeMs : null,
    latency_histogram: null,
    client_metrics: ctx.requests.flat(),
    poll_api: POLL_API,
    client_config: state.config ?? null
  }
  if (state.run) {
    const r = state.run
    Object.assign(doc, r.fields(), consumerRun.fetchFields(ctx.requests))
    doc.ready_unix_us = r.readyUs
    doc.latency_histogram = r.histogram ? ctx.encode(r.histogram) : null
    doc.client_metrics.each_batch_calls = r.eachBatchCalls
    doc.client_metrics.each_batch_records_max = r.batchRecordsMax
  }
  if (spec.mode === 'produce') {
    Object.assign(doc, { consume_s: null, polls: null, empty_polls: null, records_per_poll_max: null, poll_api: null })
    doc.send_s = null
    doc.ack_latency_histogram = null
    doc.produce_errors = 0
    doc.queue_full_waits = 0
    if (state.produce) {
      Object.assign(doc, state.produce.fields(ctx.requests))
      doc.ack_latency_histogram = state.produce.histogram && state.produce.histogram.totalCount > 0
        ? ctx.encode(state.produce.histogram)
        : null
      doc.client_metrics.send_calls = state.produce.sendCalls
    }
  }
  for (const [k, v] of Object.entries(doc.client_metrics)) if (c.finite(v) === null) delete doc.client_metrics[k]
  return doc
}

function withTimeout (promise, ms) {
  let timer
  return Promise.race([promise, new Promise(resolve => { timer = setTimeout(resolve, ms) })])
    .finally(() => clearTimeout(timer))
}

async function closeAll (state) {
  const quiet = (p, ms = CLOSE_TIMEOUT_MS) => withTimeout(Promise.resolve().then(p).catch(err => process.stderr.write(`kafkatune-kafkajs: close: ${c.oneLine(err)}\n`)), ms)
  // KafkaJS leaves the group only once its fetch in flight has returned, which the broker
  // holds up to maxWaitTimeInMs when there is nothing to read: a member that exits before
  // stays in its group until its session times out, and the group cannot be deleted.
  const maxWait = Number((state.routed && state.routed.role.maxWaitTimeInMs) ?? 5000)
  if (state.consumer) await quiet(() => state.consumer.disconnect(), Math.min(maxWait + 2000, 9000))
  if (state.producer) await quiet(() => state.producer.disconnect())
  if (state.admin) {
    // An assign run's throwaway group: nothing was committed, nothing is kept.
    // The coordinator may still be completing the member's leave: ask again a few times.
    if (state.throwawayGroup) {
      await quiet(async () => {
        for (let attempt = 1; ; attempt++) {
          try {
            return await state.admin.deleteGroups([state.throwawayGroup])
          } catch (err) {
            if (attempt >= 5) throw new Error(`deleting group ${state.throwawayGroup}: ${c.oneLine(err)}`)
            await c.sleepMs(200 * attempt)
          }
        }
      }, 5000)
    }
    await quiet(() => state.admin.disconnect())
  }
}

async function main (argv) {
  if (argv.length !== 2) {
    process.stderr.write('usage: kafkatune_kafkajs.js SPEC_PATH RESULT_PATH\n')
    return 2
  }
  const writer = new c.ResultWriter(argv[1])
  const state = { phase: 'reading the spec' }
  const ctx = { requests: new c.RequestStats(), version: null, gc: null }
  let spec = {}
  let status = 'failed'
  let error = null
  let watchdog = null
  const finishWith = (st, err) => {
    try {
      writer.write(buildResult(spec, state, st, err, ctx))
    } catch (e) {
      process.stderr.write(`kafkatune-kafkajs: could not write the result: ${c.oneLine(e)}\n`)
      process.exit(1)
    }
  }
  try {
    spec = JSON.parse(fs.readFileSync(argv[0], 'utf8'))
    // The run's time limit counts from the process start (performance.now() is 0 there).
    ctx.deadline = Number(spec.timeout_s) * 1000
    // The last resort when the run is stuck somewhere that does not return.
    watchdog = setTimeout(() => {
      finishWith('failed', `${c.timeoutError(spec, state.run ? state.run.messages : state.produce ? state.produce.acked : 0)} (stuck while ${state.phase})`)
      process.exit(0)
    }, Math.max(0, ctx.deadline - performance.now()) + 1500)
    state.phase = 'loading KafkaJS'
    ctx.kafkajs = require('kafkajs')
    ctx.version = require('kafkajs/package.json').version
    const hdr = require('hdr-histogram-js')
    ctx.newHistogram = () => hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: c.HIST_HIGHEST_US, numberOfSignificantValueDigits: 3 })
    ctx.encode = h => c.standardHistogramBase64(hdr.encodeIntoCompressedBase64(h))
    ctx.gc = new c.GcStats()
    state.phase = 'starting'
    if (spec.share) throw new Error('KafkaJS has no share consumer (KIP-932): run share groups with --client java')
    if (spec.mode === 'produce') {
      ;[status, error] = await producerRun.run(spec, ctx, state)
    } else {
      state.run = new consumerRun.ConsumerRun(spec)
      ;[status, error] = await consumerRun.run(spec, ctx, state)
    }
  } catch (err) {
    status = 'failed'
    error = `${c.oneLine(err)} while ${state.phase}`
  }
  if (error) process.stderr.write(`kafkatune-kafkajs: run failed: ${error}\n`)
  // The GC entries of the run's last moments arrive on the next turn of the event loop.
  await new Promise(resolve => setImmediate(resolve))
  if (ctx.gc) ctx.gc.stop()
  finishWith(status, error)
  state.phase = 'closing'
  await closeAll(state)
  if (watchdog) clearTimeout(watchdog)
  return 0
}

module.exports = { buildResult }

if (require.main === module) {
  process.on('SIGTERM', () => process.exit(143))
  main(process.argv.slice(2)).then(code => process.exit(code), err => {
    process.stderr.write(`kafkatune-kafkajs: ${c.oneLine(err)}\n`)
    process.exit(1)
  })
}
