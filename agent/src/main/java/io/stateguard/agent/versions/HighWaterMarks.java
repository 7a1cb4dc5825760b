package io.stateguard.agent.versions;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The highest version seen per tracked key (its <em>mark</em>), from replies and from the
 * application's own writes, for detecting replies older than what was already seen. Thread-safe;
 * every operation is atomic.
 *
 * <h2>Keys</h2>
 * A key is a Redis database index and the key's bytes: the same bytes in two databases are two
 * keys. Key bytes are hashed and compared in place (lookups never allocate) and copied once, when a
 * key gets its first mark. The {@link ByteBuffer} variants read from the buffer's position to its
 * limit and never move the position.
 *
 * <h2>Bound and eviction</h2>
 * At most {@link #maxTrackedKeys()} keys have a mark. The bound is global: a counter shared by the
 * segments (below), changed only when a key gains or loses its mark, reserves room for each new
 * key. When the table is full, the new key's own segment evicts one of its marks by the CLOCK
 * (second chance) policy: each mark has a <em>referenced</em> bit, set when the mark is created or
 * used ({@link #get}, {@link #observe}, {@link #reset}); the segment's clock hand sweeps its slots,
 * clearing set bits and evicting the first mark whose bit is already clear. So a mark is evicted
 * only when the hand meets it a second time with no use in between: it survives at least one full
 * turn of the hand after its last use (a turn spans many evictions, unless nearly every mark in the
 * segment is in use), and keys read again and again are kept in preference to keys seen once. It is
 * an approximation of LRU that costs one byte per slot and no work on reads beyond setting the bit,
 * where true LRU would need a linked list (two references per entry) and a write to shared list
 * nodes on every read. Eviction only loses protection: a key without a mark is simply {@link
 * Observation#NEW} again, its next version is accepted and becomes the mark, and no reply is ever
 * changed or rejected because of an eviction. Evicting within one segment keeps the work local (one
 * lock); as keys spread evenly over the segments, the victim is still a mark not used for a while,
 * among a random sample of the table (its segment, 1/64 of it by default). In the one case where
 * the new key's segment holds no mark to evict while the table is full (possible only with an
 * extremely uneven spread of keys), the new key is not tracked: {@link #observe} says {@link
 * Observation#NEW} and keeps nothing.
 *
 * <h2>Layout and memory</h2>
 * The table is split into up to 64 segments (fewer for small bounds: one per 16 keys of the bound at
 * most), chosen by the top bits of a 32-bit hash (MurmurHash3 of the key bytes, seeded with
 * the database index). Each segment is an open-addressing table with linear probing and
 * backward-shift deletion (no tombstones), stored as parallel arrays, one slot per index:
 * <pre>
 *   byte[][] keys        4 bytes/slot   (the key's own copy; null = empty slot)
 *   int[]    hashes      4 bytes/slot   (saves dereferencing keys while probing and rehashing)
 *   int[]    dbs         4 bytes/slot
 *   long[]   versions    8 bytes/slot
 *   boolean[] referenced 1 byte/slot
 * </pre>
 * That is 21 bytes per slot. A segment starts with 8 slots and doubles when it would hold more than
 * 3/4 of its slots, so the load factor stays between 3/8 and 3/4: 28 to 56 bytes of slots per key.
 * Each key adds its {@code byte[]} copy: a 16-byte header plus the key length rounded up to 8 (48
 * bytes for a 30-byte key). With compressed references (heaps below 32 GiB) a key of 20 to 40 bytes
 * therefore costs about 70 to 115 bytes, typically 90; nothing is allocated per key beyond that one
 * array. An empty table of 64 segments takes about 20 KiB.
 *
 * <h2>Concurrency</h2>
 * Each segment is guarded by its own monitor, held for one probe sequence and key comparison, and,
 * rarely, a doubling of the segment (about 1/64 of the table) or a clock sweep (at most two passes
 * over the segment's slots, usually a few slots). Nothing blocks or waits while holding it, and
 * threads working on different segments do not contend; they share only the key counter, and only
 * when a key gains or loses its mark. {@link #size()} and {@link #evictions()} read without locking.
 */
public final class HighWaterMarks {

    /** The default {@link #maxTrackedKeys()}. */
    public static final int DEFAULT_MAX_TRACKED_KEYS = 100_000;

    /** The largest {@link #maxTrackedKeys()}: 2^29, so that one segment's 2^30 slots could hold every key. */
    public static final int MAX_TRACKED_KEYS_LIMIT = 1 << 29;

    /**
     * What {@link #get} returns for a key without a mark. A mark equal to {@code Long.MIN_VALUE} reads
     * the same; that is harmless, as no version is below it, so it protects against nothing. Use
     * {@link #contains} to tell the two apart.
     */
    public static final long NO_MARK = Long.MIN_VALUE;

    private static final int MAX_SEGMENTS = 64;
    /** At most one segment per this many keys of the bound: small tables need little striping. */
    private static final int MIN_KEYS_PER_SEGMENT = 16;
    /** Hash bits above this choose the segment; the low bits choose the slot. */
    private static final int SEGMENT_SHIFT = 26;
    private static final int INITIAL_SLOTS = 8;

    private final Segment[] segments;
    private final int segmentMask;
    private final int maxTrackedKeys;
    /** Keys with a mark, in all segments; never above maxTrackedKeys (see reserve()). */
    private final AtomicInteger trackedKeys = new AtomicInteger();

    /** A table for at most {@value #DEFAULT_MAX_TRACKED_KEYS} keys. */
    public HighWaterMarks() {
        this(DEFAULT_MAX_TRACKED_KEYS);
    }

    /**
     * A table for at most {@code maxTrackedKeys} keys. Memory is taken as keys arrive, not up front.
     *
     * @throws IllegalArgumentException if {@code maxTrackedKeys} is below 1 or above
     *     {@link #MAX_TRACKED_KEYS_LIMIT}
     */
    public HighWaterMarks(int maxTrackedKeys) {
        if (maxTrackedKeys < 1 || maxTrackedKeys > MAX_TRACKED_KEYS_LIMIT) {
            throw new IllegalArgumentException("maxTrackedKeys must be between 1 and " + MAX_TRACKED_KEYS_LIMIT
                    + ", not " + maxTrackedKeys);
        }
        int count = Math.min(MAX_SEGMENTS,
                Integer.highestOneBit(Math.max(1, maxTrackedKeys / MIN_KEYS_PER_SEGMENT)));
        // Any one segment may have to hold every key (the bound is global): the smallest power of two
        // whose 3/4 holds maxTrackedKeys. Segments grow to it only as keys arrive.
        long needed = Math.max(4, ((long) maxTrackedKeys * 4 + 2) / 3);
        int maxSlots = (int) (Long.highestOneBit(needed - 1) << 1);
        segments = new Segment[count];
        for (int i = 0; i < count; i++) {
            segments[i] = new Segment(this, maxSlots);
        }
        segmentMask = count - 1;
        this.maxTrackedKeys = maxTrackedKeys;
    }

    /** The most keys that have a mark at once. */
    public int maxTrackedKeys() {
        return maxTrackedKeys;
    }

    /**
     * The mark of {@code key[offset, offset + length)} in database {@code db}, or {@link #NO_MARK}.
     * Counts as a use of the mark for eviction.
     */
    public long get(int db, byte[] key, int offset, int length) {
        checkRange(key, offset, length);
        return get(db, key, null, offset, length);
    }

    /**
     * The mark of the key between {@code key}'s position and limit, or {@link #NO_MARK}; see
     * {@link #get(int, byte[], int, int)}.
     */
    public long get(int db, ByteBuffer key) {
        if (key.hasArray()) {
            return get(db, key.array(), null, key.arrayOffset() + key.position(), key.remaining());
        }
        return get(db, null, key, key.position(), key.remaining());
    }

    /** Whether {@code key[offset, offset + length)} in database {@code db} has a mark. Not a use of the mark. */
    public boolean contains(int db, byte[] key, int offset, int length) {
        checkRange(key, offset, length);
        return contains(db, key, null, offset, length);
    }

    /** Whether the key between {@code key}'s position and limit has a mark. Not a use of the mark. */
    public boolean contains(int db, ByteBuffer key) {
        if (key.hasArray()) {
            return contains(db, key.array(), null, key.arrayOffset() + key.position(), key.remaining());
        }
        return contains(db, null, key, key.position(), key.remaining());
    }

    /**
     * Records that {@code version} of {@code key[offset, offset + length)} in database {@code db} was
     * seen (in a reply, or written by the application), and says how it compares with the mark: the
     * mark becomes {@code version} if there was none ({@link Observation#NEW}, possibly evicting
     * another key's mark) or if {@code version} is higher ({@link Observation#ADVANCED}); it stays as
     * it is for {@link Observation#EQUAL} and {@link Observation#REGRESSED}. Allocates only for a NEW
     * key (its copy, and rarely a larger segment).
     */
    public Observation observe(int db, byte[] key, int offset, int length, long version) {
        checkRange(key, offset, length);
        return observe(db, key, null, offset, length, version);
    }

    /** {@link #observe(int, byte[], int, int, long)} for the key between {@code key}'s position and limit. */
    public Observation observe(int db, ByteBuffer key, long version) {
        if (key.hasArray()) {
            return observe(db, key.array(), null, key.arrayOffset() + key.position(), key.remaining(), version);
        }
        return observe(db, null, key, key.position(), key.remaining(), version);
    }

    /**
     * Sets the mark of {@code key[offset, offset + length)} in database {@code db} to exactly
     * {@code version}, lower or not: after a failover lost writes, the new primary's value is the
     * truth and later replies must be compared with it.
     */
    public void reset(int db, byte[] key, int offset, int length, long version) {
        checkRange(key, offset, length);
        reset(db, key, null, offset, length, version);
    }

    /** {@link #reset(int, byte[], int, int, long)} for the key between {@code key}'s position and limit. */
    public void reset(int db, ByteBuffer key, long version) {
        if (key.hasArray()) {
            reset(db, key.array(), null, key.arrayOffset() + key.position(), key.remaining(), version);
        } else {
            reset(db, null, key, key.position(), key.remaining(), version);
        }
    }

    /** Removes the mark of {@code key[offset, offset + length)} in database {@code db}; returns whether it had one. */
    public boolean remove(int db, byte[] key, int offset, int length) {
        checkRange(key, offset, length);
        return remove(db, key, null, offset, length);
    }

    /** Removes the mark of the key between {@code key}'s position and limit; returns whether it had one. */
    public boolean remove(int db, ByteBuffer key) {
        if (key.hasArray()) {
            return remove(db, key.array(), null, key.arrayOffset() + key.position(), key.remaining());
        }
        return remove(db, null, key, key.position(), key.remaining());
    }

    /** The number of keys with a mark. */
    public int size() {
        return trackedKeys.get();
    }

    /** How many marks were evicted to stay within {@link #maxTrackedKeys()}; {@link #clear()} does not reset it. */
    public long evictions() {
        long evictions = 0;
        for (Segment segment : segments) {
            evictions += segment.evictions;
        }
        return evictions;
    }

    /** Removes every mark and returns the memory they used. Segment by segment: not atomic as a whole. */
    public void clear() {
        for (Segment segment : segments) {
            segment.clear();
        }
    }

    // Byte-source convention below: exactly one of array and buffer is non-null; offset/length index
    // the array, or the buffer with absolute reads. Heap buffers are turned into their array above.

    private long get(int db, byte[] array, ByteBuffer buffer, int offset, int length) {
        int hash = hash(db, array, buffer, offset, length);
        return segmentFor(hash).get(hash, db, array, buffer, offset, length);
    }

    private boolean contains(int db, byte[] array, ByteBuffer buffer, int offset, int length) {
        int hash = hash(db, array, buffer, offset, length);
        return segmentFor(hash).contains(hash, db, array, buffer, offset, length);
    }

    private Observation observe(int db, byte[] array, ByteBuffer buffer, int offset, int length, long version) {
        int hash = hash(db, array, buffer, offset, length);
        return segmentFor(hash).observe(hash, db, array, buffer, offset, length, version);
    }

    private void reset(int db, byte[] array, ByteBuffer buffer, int offset, int length, long version) {
        int hash = hash(db, array, buffer, offset, length);
        segmentFor(hash).reset(hash, db, array, buffer, offset, length, version);
    }

    private boolean remove(int db, byte[] array, ByteBuffer buffer, int offset, int length) {
        int hash = hash(db, array, buffer, offset, length);
        return segmentFor(hash).remove(hash, db, array, buffer, offset, length);
    }

    /** Takes room for one more key if the bound allows; the counter never exceeds the bound, even briefly. */
    private boolean reserve() {
        while (true) {
            int count = trackedKeys.get();
            if (count >= maxTrackedKeys) {
                return false;
            }
            if (trackedKeys.compareAndSet(count, count + 1)) {
                return true;
            }
        }
    }

    private Segment segmentFor(int hash) {
        return segments[(hash >>> SEGMENT_SHIFT) & segmentMask];
    }

    /** MurmurHash3 (x86, 32-bit) of the key bytes, little-endian blocks, seeded with the database index. */
    static int hash(int db, byte[] array, ByteBuffer buffer, int offset, int length) {
        if (array != null) {
            return hash(db, array, offset, length);
        }
        int h = db * 0x9E3779B9;
        int i = 0;
        for (int blocks = length & ~3; i < blocks; i += 4) {
            int k = (buffer.get(offset + i) & 0xFF)
                    | (buffer.get(offset + i + 1) & 0xFF) << 8
                    | (buffer.get(offset + i + 2) & 0xFF) << 16
                    | buffer.get(offset + i + 3) << 24;
            h ^= mixBlock(k);
            h = Integer.rotateLeft(h, 13) * 5 + 0xE6546B64;
        }
        int tail = length & 3;
        if (tail > 0) {
            int k = buffer.get(offset + i) & 0xFF;
            if (tail > 1) {
                k |= (buffer.get(offset + i + 1) & 0xFF) << 8;
            }
            if (tail > 2) {
                k |= (buffer.get(offset + i + 2) & 0xFF) << 16;
            }
            h ^= mixBlock(k);
        }
        return finish(h, length);
    }

    /** {@link #hash(int, byte[], ByteBuffer, int, int)} of array bytes: the same function, without a branch per byte. */
    private static int hash(int db, byte[] array, int offset, int length) {
        int h = db * 0x9E3779B9;
        int i = offset;
        for (int blocks = offset + (length & ~3); i < blocks; i += 4) {
            int k = (array[i] & 0xFF) | (array[i + 1] & 0xFF) << 8 | (array[i + 2] & 0xFF) << 16 | array[i + 3] << 24;
            h ^= mixBlock(k);
            h = Integer.rotateLeft(h, 13) * 5 + 0xE6546B64;
        }
        int tail = length & 3;
        if (tail > 0) {
            int k = array[i] & 0xFF;
            if (tail > 1) {
                k |= (array[i + 1] & 0xFF) << 8;
            }
            if (tail > 2) {
                k |= (array[i + 2] & 0xFF) << 16;
            }
            h ^= mixBlock(k);
        }
        return finish(h, length);
    }

    private static int finish(int h, int length) {
        h ^= length;
        h ^= h >>> 16;
        h *= 0x85EBCA6B;
        h ^= h >>> 13;
        h *= 0xC2B2AE35;
        return h ^ (h >>> 16);
    }

    private static int mixBlock(int k) {
        return Integer.rotateLeft(k * 0xCC9E2D51, 15) * 0x1B873593;
    }

    private static void checkRange(byte[] key, int offset, int length) {
        if (offset < 0 || length < 0 || offset > key.length - length) {
            throw new IndexOutOfBoundsException(
                    "offset " + offset + ", length " + length + ", array length " + key.length);
        }
    }

    /** One lock-guarded open-addressing table; see the class comment. */
    private static final class Segment {

        private final HighWaterMarks table;
        private final int maxSlots;

        // Parallel slot arrays, replaced together by allocate(); guarded by this.
        private byte[][] keys;
        private int[] hashes;
        private int[] dbs;
        private long[] versions;
        private boolean[] referenced;
        private int mask;
        private int hand;

        private int size;
        // Written under the lock, read without it by evictions().
        volatile long evictions;

        Segment(HighWaterMarks table, int maxSlots) {
            this.table = table;
            this.maxSlots = maxSlots;
            allocate(Math.min(INITIAL_SLOTS, maxSlots));
        }

        synchronized long get(int hash, int db, byte[] array, ByteBuffer buffer, int offset, int length) {
            int i = find(hash, db, array, buffer, offset, length);
            if (i < 0) {
                return NO_MARK;
            }
            touch(i);
            return versions[i];
        }

        synchronized boolean contains(int hash, int db, byte[] array, ByteBuffer buffer, int offset, int length) {
            return find(hash, db, array, buffer, offset, length) >= 0;
        }

        synchronized Observation observe(int hash, int db, byte[] array, ByteBuffer buffer, int offset, int length,
                long version) {
            int i = find(hash, db, array, buffer, offset, length);
            if (i < 0) {
                insert(~i, hash, db, array, buffer, offset, length, version);
                return Observation.NEW;
            }
            touch(i);
            long mark = versions[i];
            if (version > mark) {
                versions[i] = version;
                return Observation.ADVANCED;
            }
            return version == mark ? Observation.EQUAL : Observation.REGRESSED;
        }

        synchronized void reset(int hash, int db, byte[] array, ByteBuffer buffer, int offset, int length,
                long version) {
            int i = find(hash, db, array, buffer, offset, length);
            if (i < 0) {
                insert(~i, hash, db, array, buffer, offset, length, version);
            } else {
                touch(i);
                versions[i] = version;
            }
        }

        synchronized boolean remove(int hash, int db, byte[] array, ByteBuffer buffer, int offset, int length) {
            int i = find(hash, db, array, buffer, offset, length);
            if (i < 0) {
                return false;
            }
            deleteAt(i);
            table.trackedKeys.decrementAndGet();
            return true;
        }

        synchronized void clear() {
            allocate(Math.min(INITIAL_SLOTS, maxSlots));
            table.trackedKeys.addAndGet(-size);
            size = 0;
        }

        /** The key's slot, or {@code ~e} where {@code e} is the empty slot that ended its probe sequence. */
        private int find(int hash, int db, byte[] array, ByteBuffer buffer, int offset, int length) {
            int i = hash & mask;
            while (true) {
                byte[] key = keys[i];
                if (key == null) {
                    return ~i;
                }
                if (hashes[i] == hash && dbs[i] == db && sameBytes(key, array, buffer, offset, length)) {
                    return i;
                }
                i = (i + 1) & mask;
            }
        }

        /** The first empty slot of {@code hash}'s probe sequence. */
        private int firstEmpty(int hash) {
            int i = hash & mask;
            while (keys[i] != null) {
                i = (i + 1) & mask;
            }
            return i;
        }

        /**
         * Inserts a key known to be absent; {@code empty} is where {@link #find} ended. When the table
         * is full, evicts one of this segment's marks instead of taking room, or, if it has none,
         * leaves the key untracked.
         */
        private void insert(int empty, int hash, int db, byte[] array, ByteBuffer buffer, int offset, int length,
                long version) {
            int slots = mask + 1;
            if (!table.reserve()) {
                if (size == 0) {
                    return;
                }
                evictOne(); // its backward shift may have moved entries: probe again
                empty = firstEmpty(hash);
            } else if (size >= slots - (slots >>> 2) && slots < maxSlots) {
                // maxSlots holds the whole bound within 3/4, so at maxSlots there is always room.
                grow();
                empty = firstEmpty(hash);
            }
            byte[] copy = new byte[length];
            if (array != null) {
                System.arraycopy(array, offset, copy, 0, length);
            } else {
                for (int k = 0; k < length; k++) {
                    copy[k] = buffer.get(offset + k);
                }
            }
            keys[empty] = copy;
            hashes[empty] = hash;
            dbs[empty] = db;
            versions[empty] = version;
            // Set, so that a new mark survives a full turn of the hand: the read that follows a write
            // must still find it.
            referenced[empty] = true;
            size++;
        }

        private void touch(int i) {
            if (!referenced[i]) {
                referenced[i] = true;
            }
        }

        /**
         * CLOCK: clears set referenced bits until it meets a mark whose bit is clear, and evicts it.
         * Ends within two passes, since the first pass clears every bit. Requires {@code size > 0}.
         */
        private void evictOne() {
            while (true) {
                int i = hand;
                hand = (i + 1) & mask;
                if (keys[i] == null) {
                    continue;
                }
                if (referenced[i]) {
                    referenced[i] = false;
                    continue;
                }
                deleteAt(i);
                evictions = evictions + 1;
                return;
            }
        }

        /**
         * Empties slot {@code i} by backward-shift deletion: each later entry of the same cluster moves
         * into the hole unless its home slot lies cyclically in {@code (hole, j]} (moving it would put
         * it before its home, where probes would not find it). Keeps every key reachable from its home
         * slot without tombstones.
         */
        private void deleteAt(int i) {
            int hole = i;
            int j = i;
            while (true) {
                j = (j + 1) & mask;
                if (keys[j] == null) {
                    break;
                }
                int home = hashes[j] & mask;
                boolean homeInRange = hole <= j ? hole < home && home <= j : hole < home || home <= j;
                if (!homeInRange) {
                    keys[hole] = keys[j];
                    hashes[hole] = hashes[j];
                    dbs[hole] = dbs[j];
                    versions[hole] = versions[j];
                    referenced[hole] = referenced[j];
                    hole = j;
                }
            }
            keys[hole] = null;
            versions[hole] = 0;
            referenced[hole] = false;
            size--;
        }

        /** Doubles the slot arrays and rehashes every entry, keeping its referenced bit. */
        private void grow() {
            byte[][] oldKeys = keys;
            int[] oldHashes = hashes;
            int[] oldDbs = dbs;
            long[] oldVersions = versions;
            boolean[] oldReferenced = referenced;
            allocate(oldKeys.length * 2);
            for (int j = 0; j < oldKeys.length; j++) {
                if (oldKeys[j] != null) {
                    int i = firstEmpty(oldHashes[j]);
                    keys[i] = oldKeys[j];
                    hashes[i] = oldHashes[j];
                    dbs[i] = oldDbs[j];
                    versions[i] = oldVersions[j];
                    referenced[i] = oldReferenced[j];
                }
            }
        }

        private void allocate(int slots) {
            keys = new byte[slots][];
            hashes = new int[slots];
            dbs = new int[slots];
            versions = new long[slots];
            referenced = new boolean[slots];
            mask = slots - 1;
            hand = 0;
        }

        private static boolean sameBytes(byte[] key, byte[] array, ByteBuffer buffer, int offset, int length) {
            if (key.length != length) {
                return false;
            }
            if (array != null) {
                for (int k = 0; k < length; k++) {
                    if (key[k] != array[offset + k]) {
                        return false;
                    }
                }
                return true;
            }
            for (int k = 0; k < length; k++) {
                if (key[k] != buffer.get(offset + k)) {
                    return false;
                }
            }
            return true;
        }
    }
}
