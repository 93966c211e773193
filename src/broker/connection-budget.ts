/**
 * The budget of connections that have not logged in yet: from accept until their CONNECT is
 * authenticated. It is apart from (and smaller than) the budget of logged-in clients, and capped
 * per address, so that sockets that never log in cannot keep devices out.
 */
export class PreAuthBudget {
  private total = 0;
  private readonly byAddress = new Map<string, number>();

  constructor(
    private readonly max: number,
    private readonly maxPerAddress: number,
  ) {}

  /** Takes a slot for a new socket; undefined when it is admitted, else why not. */
  admit(address: string): 'total' | 'address' | undefined {
    if (this.total >= this.max) return 'total';
    const mine = this.byAddress.get(address) ?? 0;
    if (mine >= this.maxPerAddress) return 'address';
    this.total++;
    this.byAddress.set(address, mine + 1);
    return undefined;
  }

  /** Gives a slot back (the socket logged in or closed). Call once per admitted socket. */
  release(address: string): void {
    this.total--;
    const mine = (this.byAddress.get(address) ?? 1) - 1;
    if (mine <= 0) this.byAddress.delete(address);
    else this.byAddress.set(address, mine);
  }

  get size(): number {
    return this.total;
  }
}
