package io.stateguard.agent.versions;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import java.util.concurrent.locks.StampedLock;

/**
 * The highest version seen per tracked key (its <em>mark</em>), from replies and from the
 * application's own writes, for detecting replies older than what was already seen. Thread-safe;
 * every operation is atomic.
 *
 * <h2>Keys</h2>
 * A key is a Redis database index and the key's bytes: the same bytes in two databases are two
 * keys. Key bytes are read in place (lookups never allocate) and copied once, when a key gets its
 * first mark. The {@link ByteBuffer} variants read from the buffer's position to its
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
 * most), chosen by the top bits of a 32-bit hash (a multiply-rotate hash of the key's 8-byte words
 * and length, seeded with the database index and finished by MurmurHash3's 64-bit mixer). Each
 * segment is an open-addressing table with linear probing and
 * backward-shift deletion (no tombstones): an array of references to one small object per mark,
 * which holds the key's first 32 bytes itself, as four 8-byte words, so that for most keys a lookup
 * reads two places (the slot, the entry) and compares words, not bytes:
 * <pre>
 *   Entry[] slots         4 bytes/slot  (null = empty slot)
 *   Entry                72 bytes/key   (12-byte header, four key words, version, hash, database,
 *                                        length, tail reference, referenced bit)
 *   byte[]  tail         keys over 32 bytes only: 16-byte header + the bytes after the 32nd, rounded up to 8
 * </pre>
 * A segment starts with 8 slots and doubles when it would hold more than 3/4 of its slots, so the
 * load factor stays between 3/8 and 3/4: 5 to 11 bytes of slots per key. With compressed references
 * (heaps below 32 GiB) a key of up to 32 bytes therefore costs 77 to 83 bytes, one of 33 to 40 bytes
 * 101 to 107; keys of 20 to 40 bytes average about 90 ({@code HighWaterMarksFootprint}). Nothing is
 * allocated per key beyond the entry and its tail. An empty table of 64 segments takes about 10 KiB.
 *
 * <h2>Concurrency</h2>
 * Reads and raises take no lock. An entry never changes key, and its version is a volatile field
 * raised by compare-and-set (a raise retries only while the version it compares with is being raised
 * by another thread, and keeps the higher), so an operation that finds the key's entry works on it
 * directly, wherever backward shifts or doublings move it; a racing {@link #remove} or eviction of
 * that entry is simply ordered after the operation. The referenced bit is set only when it is clear,
 * so a mark in use is not written by its readers. Structural changes (a new key, {@link #remove},
 * eviction, a doubling, {@link #clear}) hold the segment's write lock (a {@link StampedLock}), held
 * for one probe sequence and, rarely, a doubling of the segment (about 1/64 of the table) or a clock
 * sweep (at most two passes over the segment's slots, usually a few slots); nothing blocks or waits
 * while holding it. A lookup's result (entry or absence) is used only if no structural change of its
 * segment ran meanwhile (the lock's optimistic stamp validates), otherwise it looks again under the
 * read lock: a key's absence is never reported because its entry was being moved, and an entry is
 * never used before it is completely visible. Threads working on different
 * segments share only the key counter, and only when a key gains or loses its mark. {@link #size()}
 * and {@link #evictions()} read without locking.
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
    /** Key bytes kept in an entry's own fields (four 8-byte words); longer keys keep the rest in an array. */
    static final int INLINE_BYTES = 32;

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
        return observe(db, key, null, offset, length, version, (short) 0, false);
    }

    /** {@link #observe(int, byte[], int, int, long)} for the key between {@code key}'s position and limit. */
    public Observation observe(int db, ByteBuffer key, long version) {
        if (key.hasArray()) {
            return observe(db, key.array(), null, key.arrayOffset() + key.position(), key.remaining(), version, (short) 0,
                    false);
        }
        return observe(db, null, key, key.position(), key.remaining(), version, (short) 0, false);
    }

    /**
     * Sets the mark of {@code key[offset, offset + length)} in database {@code db} to exactly
     * {@code version}, lower or not: after a failover lost writes, the new primary's value is the
     * truth and later replies must be compared with it.
     */
    public void reset(int db, byte[] key, int offset, int length, long version) {
        checkRange(key, offset, length);
        reset(db, key, null, offset, length, version, (short) 0);
    }

    /** {@link #reset(int, byte[], int, int, long)} for the key between {@code key}'s position and limit. */
    public void reset(int db, ByteBuffer key, long version) {
        if (key.hasArray()) {
            reset(db, key.array(), null, key.arrayOffset() + key.position(), key.remaining(), version, (short) 0);
        } else {
            reset(db, null, key, key.position(), key.remaining(), version, (short) 0);
        }
    }

    /**
     * {@link #observe(int, byte[], int, int, long)} that also sets the mark's {@link #tag} to {@code tag}
     * when the mark is new or raised, so that the mark and its tag describe the first sighting of its
     * version. An {@link Observation#EQUAL} sighting keeps the tag, unless the tag is provisional (0 or
     * negative); a {@link Observation#REGRESSED} one never changes it.
     */
    public Observation observe(int db, byte[] key, int offset, int length, long version, short tag) {
        checkRange(key, offset, length);
        return observe(db, key, null, offset, length, version, tag, true);
    }

    /** {@link #reset(int, byte[], int, int, long)} that also sets the mark's {@link #tag}. */
    public void reset(int db, byte[] key, int offset, int length, long version, short tag) {
        checkRange(key, offset, length);
        reset(db, key, null, offset, length, version, tag);
    }

    /**
     * The tag of the mark of {@code key[offset, offset + length)} in database {@code db}: 16 bits the
     * caller keeps with a mark (the guard: the replication history the version was seen under, and
     * whether the application deleted the key), 0 for a key without a mark or a mark never tagged.
     * Set by the tagging {@link #observe(int, byte[], int, int, long, short)} and
     * {@link #reset(int, byte[], int, int, long, short)}, and to 0 by the other {@code reset} forms.
     * Not a use of the mark.
     */
    public short tag(int db, byte[] key, int offset, int length) {
        checkRange(key, offset, length);
        return tag(db, key, null, offset, length);
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
    // A key is read once per operation into its first four 8-byte words (w0..w3, big-endian, zero
    // beyond the key), which give the hash and are compared with an entry's words in one step each.

    private long get(int db, byte[] array, ByteBuffer buffer, int offset, int length) {
        int end = offset + length;
        long w0 = word(array, buffer, offset, end);
        long w1 = word(array, buffer, offset + 8, end);
        long w2 = word(array, buffer, offset + 16, end);
        long w3 = word(array, buffer, offset + 24, end);
        int hash = hash(db, w0, w1, w2, w3, array, buffer, offset, length);
        return segmentFor(hash).get(hash, db, w0, w1, w2, w3, array, buffer, offset, length);
    }

    private boolean contains(int db, byte[] array, ByteBuffer buffer, int offset, int length) {
        int end = offset + length;
        long w0 = word(array, buffer, offset, end);
        long w1 = word(array, buffer, offset + 8, end);
        long w2 = word(array, buffer, offset + 16, end);
        long w3 = word(array, buffer, offset + 24, end);
        int hash = hash(db, w0, w1, w2, w3, array, buffer, offset, length);
        return segmentFor(hash).contains(hash, db, w0, w1, w2, w3, array, buffer, offset, length);
    }

    private Observation observe(int db, byte[] array, ByteBuffer buffer, int offset, int length, long version,
            short tag, boolean tagged) {
        int end = offset + length;
        long w0 = word(array, buffer, offset, end);
        long w1 = word(array, buffer, offset + 8, end);
        long w2 = word(array, buffer, offset + 16, end);
        long w3 = word(array, buffer, offset + 24, end);
        int hash = hash(db, w0, w1, w2, w3, array, buffer, offset, length);
        return segmentFor(hash).observe(hash, db, w0, w1, w2, w3, array, buffer, offset, length, version, tag, tagged);
    }

    private void reset(int db, byte[] array, ByteBuffer buffer, int offset, int length, long version, short tag) {
        int end = offset + length;
        long w0 = word(array, buffer, offset, end);
        long w1 = word(array, buffer, offset + 8, end);
        long w2 = word(array, buffer, offset + 16, end);
        long w3 = word(array, buffer, offset + 24, end);
        int hash = hash(db, w0, w1, w2, w3, array, buffer, offset, length);
        segmentFor(hash).reset(hash, db, w0, w1, w2, w3, array, buffer, offset, length, version, tag);
    }

    private short tag(int db, byte[] array, ByteBuffer buffer, int offset, int length) {
        int end = offset + length;
        long w0 = word(array, buffer, offset, end);
        long w1 = word(array, buffer, offset + 8, end);
        long w2 = word(array, buffer, offset + 16, end);
        long w3 = word(array, buffer, offset + 24, end);
        int hash = hash(db, w0, w1, w2, w3, array, buffer, offset, length);
        return segmentFor(hash).tag(hash, db, w0, w1, w2, w3, array, buffer, offset, length);
    }

    private boolean remove(int db, byte[] array, ByteBuffer buffer, int offset, int length) {
        int end = offset + length;
        long w0 = word(array, buffer, offset, end);
        long w1 = word(array, buffer, offset + 8, end);
        long w2 = word(array, buffer, offset + 16, end);
        long w3 = word(array, buffer, offset + 24, end);
        int hash = hash(db, w0, w1, w2, w3, array, buffer, offset, length);
        return segmentFor(hash).remove(hash, db, w0, w1, w2, w3, array, buffer, offset, length);
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

    /**
     * The big-endian word of the key bytes {@code [i, min(i + 8, end))}, zero-padded on the right;
     * 0 when {@code i >= end}. Equal keys of equal length have equal words, and two keys of equal
     * length with equal words are equal.
     */
    static long word(byte[] array, ByteBuffer buffer, int i, int end) {
        int n = end - i;
        if (n <= 0) {
            return 0;
        }
        if (array != null) {
            if (n >= 8) {
                return (array[i] & 0xFFL) << 56 | (array[i + 1] & 0xFFL) << 48 | (array[i + 2] & 0xFFL) << 40
                        | (array[i + 3] & 0xFFL) << 32 | (array[i + 4] & 0xFFL) << 24 | (array[i + 5] & 0xFFL) << 16
                        | (array[i + 6] & 0xFFL) << 8 | (array[i + 7] & 0xFFL);
            }
            long w = 0;
            for (int k = 0; k < n; k++) {
                w |= (array[i + k] & 0xFFL) << (56 - 8 * k);
            }
            return w;
        }
        if (n >= 8) {
            long w = buffer.getLong(i);
            return buffer.order() == ByteOrder.BIG_ENDIAN ? w : Long.reverseBytes(w);
        }
        long w = 0;
        for (int k = 0; k < n; k++) {
            w |= (buffer.get(i + k) & 0xFFL) << (56 - 8 * k);
        }
        return w;
    }

    /** The hash of the key bytes {@code [offset, offset + length)} in database {@code db}. */
    static int hash(int db, byte[] array, ByteBuffer buffer, int offset, int length) {
        int end = offset + length;
        return hash(db, word(array, buffer, offset, end), word(array, buffer, offset + 8, end),
                word(array, buffer, offset + 16, end), word(array, buffer, offset + 24, end),
                array, buffer, offset, length);
    }

    /**
     * A 64-bit multiply-rotate hash of the key's 8-byte words (its first four given, any further ones
     * read here), its length and database, finished by MurmurHash3's 64-bit mixer and cut to 32 bits:
     * the top bits choose the segment, the low bits the slot.
     */
    private static int hash(int db, long w0, long w1, long w2, long w3, byte[] array, ByteBuffer buffer,
            int offset, int length) {
        long h = (db * 0x9E3779B97F4A7C15L) ^ ((long) length << 32 | length);
        h = round(h, w0);
        if (length > 8) {
            h = round(h, w1);
            if (length > 16) {
                h = round(h, w2);
                if (length > 24) {
                    h = round(h, w3);
                    for (int i = offset + INLINE_BYTES, end = offset + length; i < end; i += 8) {
                        h = round(h, word(array, buffer, i, end));
                    }
                }
            }
        }
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        h *= 0xC4CEB9FE1A85EC53L;
        h ^= h >>> 33;
        return (int) h;
    }

    private static long round(long h, long w) {
        return Long.rotateLeft(h + w * 0xC2B2AE3D27D4EB4FL, 31) * 0x9E3779B185EBCA87L;
    }

    private static void checkRange(byte[] key, int offset, int length) {
        if (offset < 0 || length < 0 || offset > key.length - length) {
            throw new IndexOutOfBoundsException(
                    "offset " + offset + ", length " + length + ", array length " + key.length);
        }
    }

    /**
     * One mark: its key (the first {@value #INLINE_BYTES} bytes as four words in the entry itself, any
     * further bytes in a {@code tail} copy), hash and database, all final, so that a reader that finds
     * the entry through a racy read of a slot sees them complete; and the version, raised by CAS.
     * Entries move between slots (backward shift, doubling) but never change key, so a version raise
     * needs no lock: it lands on the key's entry wherever that entry is.
     */
    static final class Entry {

        private static final AtomicLongFieldUpdater<Entry> VERSION =
                AtomicLongFieldUpdater.newUpdater(Entry.class, "version");

        final int hash;
        final int db;
        final int length;
        final long w0;
        final long w1;
        final long w2;
        final long w3;
        /** The key bytes after the first {@value #INLINE_BYTES}, or null for keys no longer than that. */
        final byte[] tail;
        volatile long version;
        /** CLOCK's referenced bit: set by users without a lock (a benign race), cleared by the hand under the lock. */
        boolean referenced;
        /**
         * The caller's tag of the mark ({@link #tag}), written without a lock beside the version: a reader
         * may see a version with the tag of the write before (the guard tolerates it: a tag only ever
         * withholds a proof). A short fits in the entry's padding: the entry stays 72 bytes.
         */
        volatile short tag;

        Entry(int hash, int db, int length, long w0, long w1, long w2, long w3, byte[] tail, long version, short tag) {
            this.hash = hash;
            this.db = db;
            this.length = length;
            this.w0 = w0;
            this.w1 = w1;
            this.w2 = w2;
            this.w3 = w3;
            this.tail = tail;
            this.version = version;
            this.tag = tag;
            this.referenced = true;
        }

        void tag(short newTag) {
            if (tag != newTag) {
                tag = newTag; // written only when it changes: a mark in use is not written by its readers
            }
        }

        void touch() {
            if (!referenced) {
                referenced = true; // written only when clear: a mark in use is not written by its readers
            }
        }

        /** Raises the version to {@code candidate} if it is higher, atomically; says how it compared. */
        Observation raise(long candidate) {
            touch();
            long mark = version;
            while (candidate > mark) {
                if (VERSION.compareAndSet(this, mark, candidate)) {
                    return Observation.ADVANCED;
                }
                mark = version; // another raise won: compare with what it wrote
            }
            return candidate == mark ? Observation.EQUAL : Observation.REGRESSED;
        }

        boolean matches(int hash, int db, long w0, long w1, long w2, long w3, byte[] array, ByteBuffer buffer,
                int offset, int length) {
            if (this.hash != hash || this.w0 != w0 || this.length != length || this.db != db
                    || this.w1 != w1 || this.w2 != w2 || this.w3 != w3) {
                return false;
            }
            byte[] rest = tail;
            if (rest == null) {
                return true;
            }
            int from = offset + INLINE_BYTES;
            if (array != null) {
                for (int k = 0; k < rest.length; k++) {
                    if (rest[k] != array[from + k]) {
                        return false;
                    }
                }
                return true;
            }
            for (int k = 0; k < rest.length; k++) {
                if (rest[k] != buffer.get(from + k)) {
                    return false;
                }
            }
            return true;
        }
    }

    /**
     * One open-addressing table of {@link Entry} references; see the class comment. Structural changes
     * (insert, remove, eviction, doubling, clear) hold the write lock; lookups hold nothing.
     */
    private static final class Segment {

        private final HighWaterMarks table;
        private final int maxSlots;
        private final StampedLock lock = new StampedLock();

        /** Replaced (never modified afterwards) by grow() and clear(); its elements change under the write lock. */
        private volatile Entry[] slots;
        // Guarded by the write lock.
        private int size;
        private int hand;
        // Written under the write lock, read without it by evictions().
        volatile long evictions;

        Segment(HighWaterMarks table, int maxSlots) {
            this.table = table;
            this.maxSlots = maxSlots;
            this.slots = new Entry[Math.min(INITIAL_SLOTS, maxSlots)];
        }

        long get(int hash, int db, long w0, long w1, long w2, long w3,
                byte[] array, ByteBuffer buffer, int offset, int length) {
            Entry e = lookup(hash, db, w0, w1, w2, w3, array, buffer, offset, length);
            if (e == null) {
                return NO_MARK;
            }
            e.touch();
            return e.version;
        }

        boolean contains(int hash, int db, long w0, long w1, long w2, long w3,
                byte[] array, ByteBuffer buffer, int offset, int length) {
            return lookup(hash, db, w0, w1, w2, w3, array, buffer, offset, length) != null;
        }

        Observation observe(int hash, int db, long w0, long w1, long w2, long w3,
                byte[] array, ByteBuffer buffer, int offset, int length,
                long version, short tag, boolean tagged) {
            Entry e = lookup(hash, db, w0, w1, w2, w3, array, buffer, offset, length);
            if (e == null) {
                long stamp = lock.writeLock();
                try {
                    e = find(slots, hash, db, w0, w1, w2, w3, array, buffer, offset, length);
                    if (e == null) {
                        insert(hash, db, w0, w1, w2, w3, array, buffer, offset, length, version, tag);
                        return Observation.NEW;
                    }
                } finally {
                    lock.unlockWrite(stamp);
                }
                // another thread inserted the key in between
            }
            Observation observation = e.raise(version);
            if (tagged && (observation == Observation.ADVANCED
                    || observation == Observation.EQUAL && e.tag <= 0)) {
                e.tag(tag);
            }
            return observation;
        }

        short tag(int hash, int db, long w0, long w1, long w2, long w3,
                byte[] array, ByteBuffer buffer, int offset, int length) {
            Entry e = lookup(hash, db, w0, w1, w2, w3, array, buffer, offset, length);
            return e == null ? 0 : e.tag;
        }

        void reset(int hash, int db, long w0, long w1, long w2, long w3,
                byte[] array, ByteBuffer buffer, int offset, int length, long version, short tag) {
            Entry e = lookup(hash, db, w0, w1, w2, w3, array, buffer, offset, length);
            if (e == null) {
                long stamp = lock.writeLock();
                try {
                    e = find(slots, hash, db, w0, w1, w2, w3, array, buffer, offset, length);
                    if (e == null) {
                        insert(hash, db, w0, w1, w2, w3, array, buffer, offset, length, version, tag);
                        return;
                    }
                } finally {
                    lock.unlockWrite(stamp);
                }
            }
            e.touch();
            e.version = version;
            e.tag(tag);
        }

        boolean remove(int hash, int db, long w0, long w1, long w2, long w3,
                byte[] array, ByteBuffer buffer, int offset, int length) {
            long stamp = lock.writeLock();
            try {
                Entry[] s = slots;
                int i = slotOf(s, hash, db, w0, w1, w2, w3, array, buffer, offset, length);
                if (i < 0) {
                    return false;
                }
                deleteAt(s, i);
                table.trackedKeys.decrementAndGet();
                return true;
            } finally {
                lock.unlockWrite(stamp);
            }
        }

        void clear() {
            long stamp = lock.writeLock();
            try {
                slots = new Entry[Math.min(INITIAL_SLOTS, maxSlots)];
                hand = 0;
                table.trackedKeys.addAndGet(-size);
                size = 0;
            } finally {
                lock.unlockWrite(stamp);
            }
        }

        /**
         * The key's entry or null, without locking when no structural change of the segment runs
         * meanwhile (the optimistic stamp validates): then the probe saw every entry in place and
         * completely published. Otherwise (a backward shift or a doubling can hide an entry from a
         * probe in flight, and an entry being inserted may not be fully visible yet) it probes again
         * under the read lock. The entry found may be removed right after; an operation on it is
         * then ordered before that removal.
         */
        private Entry lookup(int hash, int db, long w0, long w1, long w2, long w3, byte[] array, ByteBuffer buffer,
                int offset, int length) {
            long stamp = lock.tryOptimisticRead();
            Entry e = find(slots, hash, db, w0, w1, w2, w3, array, buffer, offset, length);
            if (stamp != 0 && lock.validate(stamp)) {
                return e;
            }
            stamp = lock.readLock();
            try {
                return find(slots, hash, db, w0, w1, w2, w3, array, buffer, offset, length);
            } finally {
                lock.unlockRead(stamp);
            }
        }

        /**
         * Probes {@code s} for the key. Without the lock the view may be torn by a concurrent change, so
         * the probe is bounded by the table's length and a miss proves nothing (see {@link #lookup}).
         */
        private static Entry find(Entry[] s, int hash, int db, long w0, long w1, long w2, long w3,
                byte[] array, ByteBuffer buffer, int offset, int length) {
            int mask = s.length - 1;
            int i = hash & mask;
            for (int n = s.length; n > 0; n--) {
                Entry e = s[i];
                if (e == null) {
                    return null;
                }
                if (e.matches(hash, db, w0, w1, w2, w3, array, buffer, offset, length)) {
                    return e;
                }
                i = (i + 1) & mask;
            }
            return null;
        }

        /** The key's slot in {@code s}, or -1; under the write lock. */
        private static int slotOf(Entry[] s, int hash, int db, long w0, long w1, long w2, long w3,
                byte[] array, ByteBuffer buffer, int offset, int length) {
            int mask = s.length - 1;
            int i = hash & mask;
            while (true) {
                Entry e = s[i];
                if (e == null) {
                    return -1;
                }
                if (e.matches(hash, db, w0, w1, w2, w3, array, buffer, offset, length)) {
                    return i;
                }
                i = (i + 1) & mask;
            }
        }

        /** The first empty slot of {@code hash}'s probe sequence in {@code s}. */
        private static int firstEmpty(Entry[] s, int hash) {
            int mask = s.length - 1;
            int i = hash & mask;
            while (s[i] != null) {
                i = (i + 1) & mask;
            }
            return i;
        }

        /**
         * Inserts a key known to be absent, under the write lock. When the table is full, evicts one of
         * this segment's marks instead of taking room, or, if it has none, leaves the key untracked.
         */
        private void insert(int hash, int db, long w0, long w1, long w2, long w3,
                byte[] array, ByteBuffer buffer, int offset, int length,
                long version, short tag) {
            Entry[] s = slots;
            int capacity = s.length;
            if (!table.reserve()) {
                if (size == 0) {
                    return;
                }
                evictOne(s);
            } else if (size >= capacity - (capacity >>> 2) && capacity < maxSlots) {
                // maxSlots holds the whole bound within 3/4, so at maxSlots there is always room.
                s = grow(s);
            }
            byte[] tail = null;
            if (length > INLINE_BYTES) {
                tail = new byte[length - INLINE_BYTES];
                if (array != null) {
                    System.arraycopy(array, offset + INLINE_BYTES, tail, 0, tail.length);
                } else {
                    for (int k = 0; k < tail.length; k++) {
                        tail[k] = buffer.get(offset + INLINE_BYTES + k);
                    }
                }
            }
            // Referenced from the start, so that a new mark survives a full turn of the hand: the read
            // that follows a write must still find it.
            s[firstEmpty(s, hash)] = new Entry(hash, db, length, w0, w1, w2, w3, tail, version, tag);
            size++;
        }

        /**
         * CLOCK: clears set referenced bits until it meets a mark whose bit is clear, and evicts it.
         * Ends within two passes, since the first pass clears every bit. Requires {@code size > 0}.
         */
        private void evictOne(Entry[] s) {
            int mask = s.length - 1;
            while (true) {
                int i = hand;
                hand = (i + 1) & mask;
                Entry e = s[i];
                if (e == null) {
                    continue;
                }
                if (e.referenced) {
                    e.referenced = false;
                    continue;
                }
                deleteAt(s, i);
                evictions = evictions + 1;
                return;
            }
        }

        /**
         * Empties slot {@code i} by backward-shift deletion: each later entry of the same cluster moves
         * into the hole unless its home slot lies cyclically in {@code (hole, j]} (moving it would put
         * it before its home, where probes would not find it). Keeps every key reachable from its home
         * slot without tombstones. A lookup racing with it may miss a moving entry, never find a wrong one.
         */
        private void deleteAt(Entry[] s, int i) {
            int mask = s.length - 1;
            int hole = i;
            int j = i;
            while (true) {
                j = (j + 1) & mask;
                Entry e = s[j];
                if (e == null) {
                    break;
                }
                int home = e.hash & mask;
                boolean homeInRange = hole <= j ? hole < home && home <= j : hole < home || home <= j;
                if (!homeInRange) {
                    s[hole] = e;
                    hole = j;
                }
            }
            s[hole] = null;
            size--;
        }

        /** Publishes a table of twice the slots holding the same entries; the old array is left as it was. */
        private Entry[] grow(Entry[] old) {
            Entry[] s = new Entry[old.length * 2];
            for (Entry e : old) {
                if (e != null) {
                    s[firstEmpty(s, e.hash)] = e;
                }
            }
            slots = s;
            hand = 0;
            return s;
        }
    }
}
