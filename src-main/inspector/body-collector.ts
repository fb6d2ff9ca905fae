// Keeps the first bytes of a body (copies: the forwarding path may reuse its buffers the moment the tap
// returns) up to a per-body limit, and counts the rest.

/** Bytes that captures in progress may hold in all, shared by every connection of an inspector. */
export class CaptureBudget {
  private used = 0;
  constructor(readonly max: number) {}

  get inUse(): number {
    return this.used;
  }

  take(n: number): boolean {
    if (this.used + n > this.max) return false;
    this.used += n;
    return true;
  }

  give(n: number): void {
    this.used = Math.max(0, this.used - n);
  }
}

export class BodyCollector {
  /** Bytes seen (after de-chunking). */
  size = 0;
  kept = 0;
  truncated = false;
  parts: Buffer[] = [];

  constructor(
    private readonly max: number,
    private readonly budget: CaptureBudget | undefined,
  ) {}

  add(chunk: Buffer, start: number, end: number): void {
    const n = end - start;
    if (n <= 0) return;
    this.size += n;
    const take = Math.min(n, this.max - this.kept);
    if (take <= 0 || (this.budget && !this.budget.take(take))) {
      this.truncated = true;
      return;
    }
    this.parts.push(Buffer.from(chunk.subarray(start, start + take)));
    this.kept += take;
    if (take < n) this.truncated = true;
  }

  /** Hands the kept bytes over (to a record) and gives their share of the budget back. */
  release(): Buffer[] {
    this.budget?.give(this.kept);
    const parts = this.parts;
    this.parts = [];
    return parts;
  }
}
