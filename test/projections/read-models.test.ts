import t from 'tap'
import { EVENT_CHAIN } from '../../src/projections/audit/event-chain'
import { READ_MODELS, consumers } from '../../src/projections/index'

t.test('every read model a route may declare is a consumer the projector runs', async (t) => {
  const names = [...consumers().map((c) => c.name), EVENT_CHAIN]
  for (const name of READ_MODELS) t.ok(names.includes(name), name)
})
