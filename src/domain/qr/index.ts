export * from './body'
export * from './payload'
