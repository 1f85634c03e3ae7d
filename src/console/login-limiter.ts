// Failed console logins are counted per client address and per access key id in fixed windows. Once either
// count reaches its limit, every attempt for that address or key is refused until the window ends, even with the
// right secret, so guessing gains nothing from spreading over keys or addresses.

export interface LoginLimits {
  perIp: number;
  perKey: number;
  windowMs: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = { perIp: 20, perKey: 5, windowMs: 5 * 60_000 };

interface Window {
  failures: number;
  resetAt: number;
}

const MAX_TRACKED = 10_000;

export class LoginLimiter {
  readonly #byIp = new Map<string, Window>();
  readonly #byKey = new Map<string, Window>();

  constructor(
    readonly limits: LoginLimits = DEFAULT_LOGIN_LIMITS,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Seconds until an attempt from `ip` for `key` may be made, or 0 when it may be made now. */
  retryAfter(ip: string, key: string): number {
    const now = this.clock();
    const wait = (map: Map<string, Window>, id: string, limit: number): number => {
      const w = map.get(id);
      if (w === undefined || now >= w.resetAt) return 0;
      return w.failures >= limit ? Math.ceil((w.resetAt - now) / 1000) : 0;
    };
    return Math.max(wait(this.#byIp, ip, this.limits.perIp), wait(this.#byKey, key, this.limits.perKey));
  }

  failed(ip: string, key: string): void {
    this.count(this.#byIp, ip);
    this.count(this.#byKey, key);
  }

  /** A successful login clears its key's failures (not the address's: one good key must not unlock guessing). */
  succeeded(key: string): void {
    this.#byKey.delete(key);
  }

  private count(map: Map<string, Window>, id: string): void {
    const now = this.clock();
    let w = map.get(id);
    if (w === undefined || now >= w.resetAt) {
      if (map.size >= MAX_TRACKED) for (const [k, v] of map) if (now >= v.resetAt) map.delete(k);
      w = { failures: 0, resetAt: now + this.limits.windowMs };
      map.set(id, w);
    }
    w.failures++;
  }
}
