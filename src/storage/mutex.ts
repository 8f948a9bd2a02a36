/** An async mutex: `run` calls wait for each other, so read-modify-write sequences never interleave. */
export class Mutex {
  private tail: Promise<unknown> = Promise.resolve();

  /** Runs `work` after every earlier call has settled; resolves or rejects with `work`'s outcome. */
  run<T>(work: () => Promise<T>): Promise<T> {
    const result = this.tail.then(work, work);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
