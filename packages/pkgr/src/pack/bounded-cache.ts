/**
 * A Map that forgets its oldest entries past `limit`. node-tar caches one `lstat` per packed
 * path; bounding that cache keeps memory flat however many files the tree has.
 */
export class BoundedCache<K, V> extends Map<K, V> {
  constructor(private readonly limit: number) {
    super();
  }

  override set(key: K, value: V): this {
    super.set(key, value);
    if (this.size > this.limit) {
      const oldest = this.keys().next();
      if (!oldest.done) this.delete(oldest.value);
    }
    return this;
  }
}
