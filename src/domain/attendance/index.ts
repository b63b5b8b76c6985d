export * from './events'
export * from './errors'
export * from './geo'
export * from './check-mark'
