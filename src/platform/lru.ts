/**
 * A bounded map that forgets the least recently used entry first (a Map
 * iterates in insertion order, so a hit is moved to the end). For the caches
 * of the hot paths: verified tokens, callers, key ids.
 */
export class Lru<K, V> {
  private readonly map = new Map<K, V>()
  constructor(private readonly size: number) {}

  get(key: K): V | undefined {
    const hit = this.map.get(key)
    if (hit !== undefined) {
      this.map.delete(key)
      this.map.set(key, hit)
    }
    return hit
  }

  set(key: K, value: V): void {
    this.map.delete(key)
    this.map.set(key, value)
    if (this.map.size > this.size) this.map.delete(this.map.keys().next().value!)
  }

  delete(key: K): void {
    this.map.delete(key)
  }

  clear(): void {
    this.map.clear()
  }
}
