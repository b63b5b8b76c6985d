/** Runs `each(0)` … `each(n - 1)`, `concurrency` at a time: the shape of every race that counts its misses. */
export async function rounds(n: number, concurrency: number, each: (i: number) => Promise<void>): Promise<void> {
  let next = 0
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < n; i = next++) await each(i)
    }),
  )
}
