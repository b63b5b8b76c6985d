import t from 'tap'
import { instantIn, isNaive, zonedIso } from '../../src/platform/wall-clock'

t.test('a zone-less time is read as wall-clock time in the club’s zone', async (t) => {
  t.equal(instantIn('2026-12-02T18:30:00', 'UTC'), '2026-12-02T18:30:00.000Z')
  t.equal(instantIn('2026-12-02T18:30:00', 'Asia/Kolkata'), '2026-12-02T13:00:00.000Z')
  t.equal(instantIn('2026-07-01T12:00', 'America/New_York'), '2026-07-01T16:00:00.000Z', 'summer time, no seconds')
  t.equal(instantIn('2026-12-02 18:30:00.123456', 'UTC'), '2026-12-02T18:30:00.123Z', 'microseconds, a space')
  t.equal(instantIn('2026-03-29T02:30:00', 'Europe/Berlin'), '2026-03-29T01:30:00.000Z', 'a skipped hour moves on')
  t.equal(instantIn('0050-01-01T00:00:00', 'UTC'), '0050-01-01T00:00:00.000Z', 'years below 100 stay themselves')
  for (const bad of ['2026-02-30T10:00:00', '2026-13-01T10:00:00', '2026-12-02T24:00:00', '2026-12-02T10:60:00'])
    t.equal(instantIn(bad, 'UTC'), undefined, `${bad} is no time`)
  t.notOk(isNaive('2026-12-02T18:30:00Z'), 'a zone: not naive')
  t.notOk(isNaive('2026-12-02T18:30:00+05:30'))
  t.ok(isNaive('2026-12-02T18:30'))
})

t.test('an instant shown with the club zone’s offset reads as its wall clock', async (t) => {
  t.equal(zonedIso('2026-12-02T13:00:00.000Z', 'Asia/Kolkata'), '2026-12-02T18:30:00.000+05:30')
  t.equal(zonedIso('2026-12-02T13:00:00.000Z', 'UTC'), '2026-12-02T13:00:00.000+00:00')
  t.equal(zonedIso('2026-07-01T16:00:00.000Z', 'America/New_York'), '2026-07-01T12:00:00.000-04:00')
  for (const zone of ['UTC', 'Asia/Kolkata', 'America/St_Johns', 'Pacific/Chatham'])
    t.equal(
      Date.parse(zonedIso('2026-05-05T05:05:05.005Z', zone)),
      Date.parse('2026-05-05T05:05:05.005Z'),
      `${zone}: the same instant`,
    )
})
