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

t.test(
  'offsets are remembered per second, and the second a zone changes its offset reads right both ways',
  async (t) => {
    // New York springs forward at 07:00:00Z on 8 March 2026: the last millisecond before it is EST, the first after EDT
    const before = '2026-03-08T06:59:59.999Z'
    const after = '2026-03-08T07:00:00.000Z'
    for (const order of [
      [before, after],
      [after, before],
    ])
      for (const instant of [...order, ...order])
        t.equal(
          zonedIso(instant, 'America/New_York'),
          instant === before ? '2026-03-08T01:59:59.999-05:00' : '2026-03-08T03:00:00.000-04:00',
          `${instant} after ${order[0]}`,
        )
    // Lord Howe moves half an hour, at half past the hour in UTC: an hour's bucket would mix the two
    t.equal(zonedIso('2026-10-03T15:00:00.000Z', 'Australia/Lord_Howe'), '2026-10-04T01:30:00.000+10:30')
    t.equal(zonedIso('2026-10-03T15:30:00.000Z', 'Australia/Lord_Howe'), '2026-10-04T02:30:00.000+11:00')
    // another zone's offset at the same second is its own
    t.equal(zonedIso(after, 'Asia/Kolkata'), '2026-03-08T12:30:00.000+05:30')
    t.equal(zonedIso('2026-03-08T07:00:00.500Z', 'America/New_York'), '2026-03-08T03:00:00.500-04:00')
  },
)
