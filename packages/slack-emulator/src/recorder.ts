/**
 * An append-only record that tests can wait on. `waitFor` looks at what is already recorded
 * first, so a test never races the thing it waits for.
 */
export class Recorder<T> {
  readonly items: T[] = [];
  private waiters = new Set<(item: T) => void>();

  add(item: T): void {
    this.items.push(item);
    for (const waiter of [...this.waiters]) waiter(item);
  }

  /** Empties the record in place, so references to `items` held by tests stay live. */
  clear(): void {
    this.items.length = 0;
  }

  waitFor(predicate: (item: T) => boolean, timeoutMs: number, describe: string): Promise<T> {
    const existing = this.items.find(predicate);
    if (existing !== undefined) return Promise.resolve(existing);
    return new Promise<T>((resolve, reject) => {
      const waiter = (item: T): void => {
        if (!predicate(item)) return;
        clearTimeout(timer);
        this.waiters.delete(waiter);
        resolve(item);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`slack-emulator: timed out after ${timeoutMs} ms waiting for ${describe}`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }
}
