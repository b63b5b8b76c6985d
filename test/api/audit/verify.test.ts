import { sql } from 'kysely'
import t, { type Test } from 'tap'
import { chainKey, chainLink } from '../../../src/domain/audit/chain'
import { verifyChain } from '../../../src/projections/audit/verify-chain'
import { auditVerifyCommand } from '../../../src/platform/cli/audit-verify'
import type { Runtime } from '../../../src/runtime'
import { adminSession, bearer, member } from '../../helpers/identity'
import { testApp, testRuntime } from '../../helpers/runtime'
import { visibleEvents, chained, seedEvents } from '../../helpers/audit'

/**
 * The hash chain on real PostgreSQL: a runtime links every event, and any
 * change made directly in es_events is found at the event it touched.
 */
const verify = (runtime: Runtime) => verifyChain(runtime.db.kysely, runtime.store, chainKey(runtime.config))

async function seeded(t: Test, n = 30) {
  const runtime = await testRuntime(t, { redis: false })
  // two rounds, so the chain writer certainly links them in more than one batch
  await chained(runtime, (await seedEvents(runtime, n / 2)).length)
  const events = await seedEvents(runtime, n / 2)
  await chained(runtime, events.length)
  t.same((await verify(runtime)).ok, true, 'the untouched store verifies')
  return { runtime, events }
}

t.test('an untouched store verifies ok, checking every event, through the API and the CLI', async (t) => {
  const { app, runtime } = await testApp(t)
  const admin = await adminSession(app, runtime)
  const events = await seedEvents(runtime, 12)
  await chained(runtime, events.length)
  const res = await app.inject({
    method: 'GET',
    url: '/api/admin/audit-logs/verify',
    headers: bearer(admin.access_token),
  })
  t.equal(res.statusCode, 200)
  t.match(res.json(), { ok: true, checked: events.length, unchained: 0 })
  t.notOk('first_broken_position' in res.json())
  const printed: string[] = []
  t.equal(await auditVerifyCommand(runtime, (l) => printed.push(l)), 0, 'the CLI exits 0')
  t.match(JSON.parse(printed[0]!), { ok: true, checked: events.length })
  t.equal(
    (await app.inject({ method: 'GET', url: '/api/admin/audit-logs/verify' })).statusCode,
    401,
    'not without a token',
  )
  const student = await member(app, runtime, admin)
  for (const url of ['/api/admin/audit-logs/verify', '/api/admin/audit-logs', '/api/admin/event-stream']) {
    const res = await app.inject({ method: 'GET', url, headers: bearer(student.access_token) })
    t.same([res.statusCode, res.json().code], [403, 'forbidden'], `${url}: admins only`)
  }
})

t.test('an UPDATE of one event’s data is found at that event', async (t) => {
  const { runtime, events } = await seeded(t)
  await sql`UPDATE es_events SET data = jsonb_set(data, '{i}', '999') WHERE id = ${events[12]!.id}`.execute(
    runtime.db.kysely,
  )
  t.same(await verify(runtime), {
    ok: false,
    checked: 12,
    first_broken_position: events[12]!.position,
    reason: 'modified',
    unchained: 0,
    head_link: await link(runtime, 11),
  })
  const printed: string[] = []
  t.equal(await auditVerifyCommand(runtime, (l) => printed.push(l)), 1, 'the CLI exits 1')
  t.equal(JSON.parse(printed[0]!).first_broken_position, events[12]!.position)
})

t.test('an UPDATE of metadata or recorded_at is found too', async (t) => {
  const { runtime, events } = await seeded(t, 10)
  await sql`UPDATE es_events SET metadata = metadata || '{"ip":"10.0.0.1"}' WHERE id = ${events[3]!.id}`.execute(
    runtime.db.kysely,
  )
  t.match(await verify(runtime), { ok: false, checked: 3, first_broken_position: events[3]!.position })
  await sql`UPDATE es_events SET metadata = metadata || '{"ip":"192.0.2.1"}' WHERE id = ${events[3]!.id}`.execute(
    runtime.db.kysely,
  )
  t.match(await verify(runtime), { ok: true, checked: 10 }, 'put back, it verifies again')
  await sql`UPDATE es_events SET recorded_at = recorded_at - interval '1 second' WHERE id = ${events[6]!.id}`.execute(
    runtime.db.kysely,
  )
  t.match(await verify(runtime), { ok: false, checked: 6, first_broken_position: events[6]!.position })
})

t.test('a DELETE of one event is found at the deleted event’s position', async (t) => {
  const { runtime, events } = await seeded(t)
  await sql`DELETE FROM es_events WHERE id = ${events[7]!.id}`.execute(runtime.db.kysely)
  t.match(await verify(runtime), {
    ok: false,
    checked: 7,
    first_broken_position: events[7]!.position,
    reason: 'missing',
  })
})

t.test('a truncated tail (the last 5 events deleted) is found at the first missing event', async (t) => {
  const { runtime, events } = await seeded(t)
  const tail = events.slice(-5).map((e) => e.id)
  await sql`DELETE FROM es_events WHERE id = ANY(${tail}::uuid[])`.execute(runtime.db.kysely)
  t.match(await verify(runtime), {
    ok: false,
    checked: events.length - 5,
    first_broken_position: events[events.length - 5]!.position,
    reason: 'missing',
  })
})

t.test('a database writer without the key cannot re-sign the chain after an edit', async (t) => {
  const { runtime, events } = await seeded(t, 10)
  await sql`UPDATE es_events SET data = '{"i": 0, "forged": true}' WHERE id = ${events[4]!.id}`.execute(
    runtime.db.kysely,
  )
  // the best a writer can do without AUDIT_CHAIN_SECRET: recompute every link under a key they guess
  const guessed = chainKey({ jwtSecret: 'a guess at the secret, long enough to pass 1234' })
  let previous = ''
  for (const [i, e] of (await visibleEvents(runtime)).entries()) {
    previous = chainLink(guessed, previous, e)
    await runtime.db.kysely.updateTable('event_chain').set({ link: previous }).where('seq', '=', String(i)).execute()
  }
  t.match(await verify(runtime), {
    ok: false,
    checked: 0,
    first_broken_position: events[0]!.position,
    reason: 'modified',
  })
})

t.test('an event slipped into the store that the chain never saw is reported as unexpected', async (t) => {
  const { runtime, events } = await seeded(t, 10)
  // a copy of event 4 under a new id and position, committed with event 4's transaction id: it sorts right after it
  await sql`INSERT INTO es_events (position, tx, id, stream, revision, type, data, metadata, recorded_at)
            OVERRIDING SYSTEM VALUE
            SELECT position * 1000, tx, gen_random_uuid(), stream || '-x', revision, type, data, metadata, recorded_at FROM es_events WHERE id = ${events[4]!.id}`.execute(
    runtime.db.kysely,
  )
  const intruder = (await visibleEvents(runtime))[5]!
  t.not(intruder.id, events[5]!.id, 'the intruder sits at index 5 of the feed')
  t.match(await verify(runtime), {
    ok: false,
    checked: 5,
    first_broken_position: intruder.position,
    reason: 'unexpected',
  })
})

t.test('events not linked yet are counted as unchained, not broken', async (t) => {
  const runtime = await testRuntime(t, { redis: false, role: 'api' })
  const events = await seedEvents(runtime, 5)
  t.same(await verify(runtime), { ok: true, checked: 0, unchained: events.length, head_link: null })
})

async function link(runtime: Runtime, seq: number): Promise<string> {
  return (
    await runtime.db.kysely
      .selectFrom('event_chain')
      .select('link')
      .where('seq', '=', String(seq))
      .executeTakeFirstOrThrow()
  ).link
}
