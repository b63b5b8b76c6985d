import t, { type Test } from 'tap'
import { EARTH_RADIUS_M, haversineMeters } from '../../../src/domain/attendance/geo'

const near = (t: Test, actual: number, expected: number, tolerance: number, msg: string) =>
  t.ok(Math.abs(actual - expected) <= tolerance, `${msg}: ${actual.toFixed(2)} m, expected ${expected} ± ${tolerance}`)

t.test('haversineMeters gives known great-circle distances', async (t) => {
  near(t, haversineMeters({ lat: 52.52, lng: 13.405 }, { lat: 52.52, lng: 13.405 }), 0, 0, 'the same point')
  near(
    t,
    haversineMeters({ lat: 10, lng: 20 }, { lat: 11, lng: 20 }),
    (Math.PI * EARTH_RADIUS_M) / 180,
    0.001,
    'one degree of latitude',
  )
  near(
    t,
    haversineMeters({ lat: 0, lng: 0 }, { lat: 0, lng: 90 }),
    (Math.PI * EARTH_RADIUS_M) / 2,
    0.001,
    'a quarter of the equator',
  )
  // Big Ben to the Statue of Liberty: 5574.8 km (movable-type.co.uk's haversine example)
  near(
    t,
    haversineMeters({ lat: 51.5007, lng: -0.1246 }, { lat: 40.6892, lng: -74.0445 }),
    5_574_800,
    1_000,
    'London to New York',
  )
  near(
    t,
    haversineMeters({ lat: 48.8566, lng: 2.3522 }, { lat: 51.5074, lng: -0.1278 }),
    343_500,
    1_000,
    'Paris to London',
  )
})

t.test('haversineMeters is symmetric, crosses the antimeridian, and is finite at the antipodes', async (t) => {
  const a = { lat: 52.52, lng: 13.405 }
  const b = { lat: -33.8688, lng: 151.2093 }
  t.equal(haversineMeters(a, b), haversineMeters(b, a))
  near(
    t,
    haversineMeters({ lat: 0, lng: 179.9995 }, { lat: 0, lng: -179.9995 }),
    111.195,
    0.01,
    '0.001° across the date line',
  )
  near(
    t,
    haversineMeters({ lat: 0, lng: 0 }, { lat: 0, lng: 180 }),
    Math.PI * EARTH_RADIUS_M,
    0.001,
    'antipodes on the equator',
  )
  // found by search: for this pair the floating-point sum comes out at 1 + 4ε, whose square root exceeds 1
  const antipodal = haversineMeters(
    { lat: 69.50939499085604, lng: 84.08030010951995 },
    { lat: -69.50939499119976, lng: -95.91969989048005 },
  )
  t.ok(Number.isFinite(antipodal), 'not NaN where rounding pushes past 1')
  near(t, antipodal, Math.PI * EARTH_RADIUS_M, 0.01, 'antipodes anywhere')
})
