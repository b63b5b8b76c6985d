import { request } from '../server'

/** One mark to make: a student's token and the QR of a club event. */
export interface MarkPair {
  eventId: string
  userId: string
  token: string
  payload: string
}

/** Every answer, and every failure to get one, by kind. */
export interface Tally {
  sent: number
  /** 200: the mark was stored and the client told so */
  acknowledged: number
  /** 5xx other than 503: a bug */
  errors5xx: number
  /** 503 `unavailable`: refused while a dependency was away (PostgreSQL cut), never stored */
  unavailable: number
  /** 4xx: none expected, every pair is marked once */
  refused4xx: number
  /** the connection failed before an answer (a killed API); the outcome is unknown to the client */
  noAnswer: number
  /** a status → count, for the report */
  statuses: Record<string, number>
}

/** When each answer came and from which API: the recovery times are read off it. */
export interface Answer {
  at: number
  api: string
  status: number
}

/**
 * A steady open-loop mark load over the API processes, as phones behind a
 * load balancer: `rate` marks a second, each pair once, round robin. Like a
 * balancer, a request whose connection is refused (that API is down) is sent
 * to the next API; one cut mid-request is not resent, its outcome unknown.
 */
export class MarkLoad {
  readonly tally: Tally = {
    sent: 0,
    acknowledged: 0,
    errors5xx: 0,
    unavailable: 0,
    refused4xx: 0,
    noAnswer: 0,
    statuses: {},
  }
  readonly acknowledged: MarkPair[] = []
  readonly answers: Answer[] = []
  private next = 0
  private stopped = false
  private readonly inFlight = new Set<Promise<void>>()
  private timer: NodeJS.Timeout | undefined

  constructor(
    private readonly pairs: MarkPair[],
    private readonly apis: () => string[],
    private readonly rate: number,
  ) {}

  start(): void {
    const started = Date.now()
    const tick = () => {
      if (this.stopped) return
      // catch up to where the clock says the load should be: a slow tick does not lower the rate
      const due = Math.floor(((Date.now() - started) / 1000) * this.rate)
      while (this.next < due && this.next < this.pairs.length) this.send(this.pairs[this.next++]!, this.next)
      this.timer = setTimeout(tick, 5)
    }
    tick()
  }

  /** Pairs left unmarked: the run must stop before it runs out. */
  get remaining(): number {
    return this.pairs.length - this.next
  }

  private send(pair: MarkPair, n: number): void {
    this.tally.sent++
    const p = this.deliver(pair, n).finally(() => this.inFlight.delete(p))
    this.inFlight.add(p)
  }

  private async deliver(pair: MarkPair, n: number): Promise<void> {
    const apis = this.apis()
    for (let attempt = 0; attempt < apis.length; attempt++) {
      const api = apis[(n + attempt) % apis.length]!
      let status: number
      try {
        status = (
          await request(
            `${api}/api/attendance/mark`,
            'POST',
            { qr_payload: pair.payload },
            {
              authorization: `Bearer ${pair.token}`,
            },
          )
        ).status
      } catch (err) {
        // refused before anything was sent: the balancer tries the next API
        if ((err as { code?: string }).code === 'ECONNREFUSED') continue
        this.tally.noAnswer++
        return
      }
      this.answers.push({ at: Date.now(), api, status })
      this.tally.statuses[status] = (this.tally.statuses[status] ?? 0) + 1
      if (status === 200) {
        this.tally.acknowledged++
        this.acknowledged.push(pair)
      } else if (status === 503) this.tally.unavailable++
      else if (status >= 500) this.tally.errors5xx++
      else this.tally.refused4xx++
      return
    }
    this.tally.noAnswer++
  }

  async stop(): Promise<void> {
    this.stopped = true
    if (this.timer) clearTimeout(this.timer)
    await Promise.all(this.inFlight)
  }
}
