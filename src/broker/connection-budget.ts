/** Sockets not logged in yet, counted in total and per address. */
class Pool {
  private total = 0;
  private readonly byAddress = new Map<string, number>();

  constructor(
    private readonly max: number,
    private readonly maxPerAddress: number,
  ) {}

  take(address: string): 'total' | 'address' | undefined {
    if (this.total >= this.max) return 'total';
    const mine = this.byAddress.get(address) ?? 0;
    if (mine >= this.maxPerAddress) return 'address';
    this.total++;
    this.byAddress.set(address, mine + 1);
    return undefined;
  }

  give(address: string): void {
    this.total--;
    const mine = (this.byAddress.get(address) ?? 1) - 1;
    if (mine <= 0) this.byAddress.delete(address);
    else this.byAddress.set(address, mine);
  }

  get size(): number {
    return this.total;
  }
}

const KNOWN_ADDRESSES_MAX = 4096;

/**
 * The budget of connections that have not logged in yet: from accept until their CONNECT is
 * authenticated. It is apart from (and smaller than) the budget of logged-in clients, and capped
 * per address, so that sockets that never log in cannot keep devices out. Addresses that have
 * logged in before get a pool of their own: however many addresses an attacker fills the open
 * pool from, a returning device still gets in (a TCP handshake needs the address it claims).
 */
export class PreAuthBudget {
  private readonly open: Pool;
  private readonly returning: Pool;
  /** Addresses that logged in, least recent first (a Map keeps insertion order). */
  private readonly known = new Map<string, true>();

  constructor(max: number, maxPerAddress: number) {
    this.open = new Pool(max, maxPerAddress);
    this.returning = new Pool(max, maxPerAddress);
  }

  /** Takes a slot for a new socket: how to give it back, or why there is none. */
  admit(address: string): { release: () => void } | { refused: 'total' | 'address' } {
    const refused = this.open.take(address);
    if (!refused) return { release: once(() => this.open.give(address)) };
    if (this.known.has(address) && !this.returning.take(address))
      return { release: once(() => this.returning.give(address)) };
    return { refused };
  }

  /** An address whose socket logged in: from now on it may use the returning pool. */
  noteLoggedIn(address: string): void {
    this.known.delete(address);
    this.known.set(address, true);
    if (this.known.size > KNOWN_ADDRESSES_MAX) this.known.delete(this.known.keys().next().value!);
  }

  get size(): number {
    return this.open.size + this.returning.size;
  }
}

function once(fn: () => void): () => void {
  let done = false;
  return () => {
    if (!done) fn();
    done = true;
  };
}
