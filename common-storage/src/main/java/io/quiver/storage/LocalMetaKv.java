package io.quiver.storage;

import static java.util.Objects.requireNonNull;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.CRC32C;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded {@link MetaKv} of standalone mode: an in-memory sorted map with etcd semantics,
 * made durable by an append-only journal and periodic snapshots in one directory.
 *
 * <h2>Semantics (as etcd)</h2>
 * A store-wide revision is bumped once per mutating call (a transaction's ops share one revision;
 * a delete of nothing or an empty branch bumps nothing). Each key carries create/mod revision,
 * version (puts since creation) and lease. A DELETE watch event carries the key and the deleting
 * revision as {@code modRevision}, an empty value and zeroes elsewhere. Ops inside one transaction
 * apply in order and see each other ({@code Put a/1} then {@code DeletePrefix a/} deletes a/1).
 * A put naming an unknown lease fails with a non-retriable {@link StorageException}; revoking an
 * unknown lease is a no-op.
 *
 * <h2>Design</h2>
 * <ul>
 *   <li><b>Durability.</b> Each mutation is one journal record ({@code length | CRC32C | payload},
 *       see {@link RecordLog}) fsync'ed <em>before</em> it is applied in memory, becomes visible to
 *       readers or is sent to watchers: nothing anyone observed can be lost by a crash. One fsync
 *       per mutation, under the store lock: metadata writes are low-rate (DDL, segment state,
 *       checkpoints), and applying after the fsync keeps "visible implies durable" trivially true.
 *       A failed write is cut back off the journal; if even that fails the store refuses writes.</li>
 *   <li><b>Bounded restart.</b> Every {@link Options#snapshotEveryRecords} records the whole state
 *       is written to {@code snapshot.tmp}, fsync'ed and renamed over {@code snapshot}, then a new
 *       empty journal replaces the old one (same temp + rename). Records carry a sequence number,
 *       so a crash between the two renames only makes replay skip records already in the snapshot.</li>
 *   <li><b>Torn tails.</b> On open the journal is scanned; at the first bad length, short record or
 *       CRC mismatch the rest is logged (event=journal_truncated) and cut off. Nothing acknowledged
 *       can be there: a mutation returns only after its record is fsync'ed whole.</li>
 *   <li><b>Watches.</b> Each watch has its own single (virtual) thread. Events are enqueued under
 *       the store lock (so their order is the revision order, and a watch from a past revision
 *       sees replayed history followed by live events with no gap or duplicate) but listeners run
 *       on the watch's thread, never holding the lock. The last {@link Options#historyRevisions}
 *       revisions' events are retained (rebuilt from the journal on restart); a watch from an
 *       older revision gets {@code onCompacted} and is ended.</li>
 *   <li><b>Leases</b> run on the injected {@link InstantSource}: a reaper thread every
 *       {@link Options#reaperInterval} and a lazy check on every call expire leases and delete
 *       their keys in one revision (DELETE events). Grants and revocations are journaled;
 *       keep-alives are not: on restart each surviving lease gets a fresh full TTL (as etcd does).</li>
 * </ul>
 */
public final class LocalMetaKv implements MetaKv {
    private static final Logger log = LoggerFactory.getLogger(LocalMetaKv.class);

    static final String JOURNAL = "journal";
    static final String SNAPSHOT = "snapshot";
    private static final int JOURNAL_MAGIC = 0x51564b4a; // "QVKJ"
    private static final int SNAPSHOT_MAGIC = 0x51564b53; // "QVKS"
    private static final int FORMAT_VERSION = 1;
    private static final int MAX_RECORD = 256 << 20;
    private static final byte OP_PUT = 1;
    private static final byte OP_DELETE = 2;
    private static final byte OP_LEASE_GRANT = 3;
    private static final byte OP_LEASE_REVOKE = 4;
    private static final AtomicLong WATCH_IDS = new AtomicLong();

    /** Tuning knobs; {@link #defaults()} suits production and tests. */
    public record Options(int snapshotEveryRecords, int historyRevisions, Duration reaperInterval) {
        public Options {
            if (snapshotEveryRecords < 1 || historyRevisions < 1) {
                throw new IllegalArgumentException("snapshotEveryRecords and historyRevisions must be >= 1");
            }
            requireNonNull(reaperInterval, "reaperInterval is null");
        }

        public static Options defaults() {
            return new Options(10_000, 10_000, Duration.ofMillis(200));
        }
    }

    private final Path dir;
    private final InstantSource clock;
    private final Options options;
    private final ReentrantLock lock = new ReentrantLock();
    private final ScheduledExecutorService reaper;

    // --- state, all guarded by lock ---
    private final TreeMap<String, KeyValue> kvs = new TreeMap<>();
    private final Map<Long, Lease> leases = new HashMap<>();
    /** Events by revision, oldest first; holds every revision in (compactRevision, revision]. */
    private final ArrayDeque<Commit> history = new ArrayDeque<>();
    private final List<LocalWatch> watches = new CopyOnWriteArrayList<>();
    private long revision = 1; // etcd's first revision
    private long compactRevision = 1;
    private long seq; // last journal record sequence number
    private long snapshotSeq;
    private long nextLeaseId = 1;
    private FileChannel journal;
    private long journalSize;
    private boolean closed;
    private boolean failed;

    private static final class Lease {
        final long id;
        final long ttlMillis;
        long deadlineMillis;
        final Set<String> keys = new LinkedHashSet<>();

        Lease(long id, long ttlMillis, long deadlineMillis) {
            this.id = id;
            this.ttlMillis = ttlMillis;
            this.deadlineMillis = deadlineMillis;
        }
    }

    /** A resolved mutation, exactly as journaled and replayed. */
    private sealed interface Mutation {}

    private record PutKey(String key, byte[] value, long leaseId) implements Mutation {}

    private record DeleteKey(String key) implements Mutation {}

    private record GrantLease(long leaseId, long ttlMillis) implements Mutation {}

    private record RevokeLease(long leaseId) implements Mutation {}

    private record Commit(long revision, List<WatchEvent> events) {}

    public LocalMetaKv(Path dir) {
        this(dir, InstantSource.system());
    }

    public LocalMetaKv(Path dir, InstantSource clock) {
        this(dir, clock, Options.defaults());
    }

    public LocalMetaKv(Path dir, InstantSource clock, Options options) {
        this.dir = requireNonNull(dir, "dir is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.options = requireNonNull(options, "options is null");
        try {
            LocalObjectStore.createDirectoriesDurably(dir);
            open();
        } catch (IOException e) {
            throw new StorageException("cannot open metakv in " + dir, false, e);
        }
        this.reaper = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("metakv-lease-reaper").factory());
        long interval = Math.max(1, options.reaperInterval().toMillis());
        reaper.scheduleWithFixedDelay(this::reap, interval, interval, TimeUnit.MILLISECONDS);
    }

    // ------------------------------------------------------------------ open / recovery

    private void open() throws IOException {
        long t0 = System.nanoTime();
        Files.deleteIfExists(dir.resolve(SNAPSHOT + ".tmp"));
        Files.deleteIfExists(dir.resolve(JOURNAL + ".tmp"));
        Path snapshot = dir.resolve(SNAPSHOT);
        if (Files.exists(snapshot)) {
            readSnapshot(snapshot);
        }
        compactRevision = revision;
        Path journalPath = dir.resolve(JOURNAL);
        if (!Files.exists(journalPath)) {
            newJournal();
        } else {
            journal = FileChannel.open(journalPath, StandardOpenOption.READ, StandardOpenOption.WRITE);
            RecordLog.readFileHeader(journal, JOURNAL_MAGIC, FORMAT_VERSION, journalPath);
            long[] replayed = new long[1];
            RecordLog.ScanResult scan = RecordLog.scan(journal, RecordLog.FILE_HEADER, MAX_RECORD, true, (pos, payload) -> {
                if (replay(payload)) {
                    replayed[0]++;
                }
            });
            if (scan.corrupt()) {
                // damage in the middle, not a torn tail: cutting there would drop acknowledged metadata after it
                journal.close();
                throw new StorageException("meta journal " + journalPath + ": corrupt record at byte " + scan.validEnd()
                        + " (" + scan.reason() + "); refusing to truncate acknowledged records", false);
            }
            if (scan.reason() != null) {
                long size = journal.size();
                log.warn("event=journal_truncated dir={} offset={} droppedBytes={} reason=\"{}\"", dir, scan.validEnd(), size - scan.validEnd(), scan.reason());
                journal.truncate(scan.validEnd());
                journal.force(true);
            }
            journalSize = scan.validEnd();
            log.info("event=metakv_opened dir={} revision={} keys={} leases={} replayedRecords={} tookMs={}",
                    dir, revision, kvs.size(), leases.size(), replayed[0], (System.nanoTime() - t0) / 1_000_000);
        }
        // Surviving leases get a fresh full TTL (as etcd does on leader change / restart).
        long now = clock.millis();
        for (Lease l : leases.values()) {
            l.deadlineMillis = now + l.ttlMillis;
        }
    }

    /** Applies one journal record during recovery; false if it was already in the snapshot. */
    private boolean replay(ByteBuffer payload) throws IOException {
        DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(payload.array(), payload.arrayOffset() + payload.position(), payload.remaining()));
        long recordSeq = in.readLong();
        if (recordSeq <= seq) {
            return false; // already covered by the snapshot
        }
        if (recordSeq != seq + 1) {
            throw new StorageException("journal sequence gap in " + dir + ": expected " + (seq + 1) + " found " + recordSeq, false);
        }
        int n = in.readInt();
        List<Mutation> ops = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            byte type = in.readByte();
            ops.add(switch (type) {
                case OP_PUT -> new PutKey(readString(in), readBytes(in), in.readLong());
                case OP_DELETE -> new DeleteKey(readString(in));
                case OP_LEASE_GRANT -> new GrantLease(in.readLong(), in.readLong());
                case OP_LEASE_REVOKE -> new RevokeLease(in.readLong());
                default -> throw new StorageException("unknown journal op " + type + " in " + dir, false);
            });
        }
        seq = recordSeq;
        apply(ops, false);
        return true;
    }

    private void readSnapshot(Path path) throws IOException {
        CRC32C crc = new CRC32C();
        try (InputStream raw = new java.io.BufferedInputStream(Files.newInputStream(path), 1 << 16);
             CheckedInputStream checked = new CheckedInputStream(raw, crc)) {
            DataInputStream in = new DataInputStream(checked);
            if (in.readInt() != SNAPSHOT_MAGIC) {
                throw new StorageException("bad snapshot magic in " + path, false);
            }
            int version = in.readInt();
            if (version != FORMAT_VERSION) {
                throw new StorageException("unsupported snapshot version " + version + " in " + path, false);
            }
            seq = in.readLong();
            revision = in.readLong();
            nextLeaseId = in.readLong();
            int nLeases = in.readInt();
            for (int i = 0; i < nLeases; i++) {
                long id = in.readLong();
                leases.put(id, new Lease(id, in.readLong(), 0));
            }
            int nKeys = in.readInt();
            for (int i = 0; i < nKeys; i++) {
                KeyValue kv = new KeyValue(readString(in), readBytes(in), in.readLong(), in.readLong(), in.readLong(), in.readLong());
                kvs.put(kv.key(), kv);
                if (kv.leaseId() != 0) {
                    Lease l = leases.get(kv.leaseId());
                    if (l != null) {
                        l.keys.add(kv.key());
                    }
                }
            }
            int expected = (int) crc.getValue();
            int stored = new DataInputStream(raw).readInt(); // past the checksummed body
            if (expected != stored) {
                // The snapshot is written to a temp file and renamed, so this is media corruption:
                // refuse to start rather than silently losing metadata.
                throw new StorageException("snapshot checksum mismatch in " + path, false);
            }
        } catch (java.io.EOFException e) {
            throw new StorageException("truncated snapshot " + path, false, e);
        }
        snapshotSeq = seq;
    }

    private void writeSnapshot() throws IOException {
        Path tmp = dir.resolve(SNAPSHOT + ".tmp");
        CRC32C crc = new CRC32C();
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            OutputStream raw = Channels.newOutputStream(ch);
            BufferedOutputStream buffered = new BufferedOutputStream(raw, 1 << 16);
            DataOutputStream out = new DataOutputStream(new CheckedOutputStream(buffered, crc));
            out.writeInt(SNAPSHOT_MAGIC);
            out.writeInt(FORMAT_VERSION);
            out.writeLong(seq);
            out.writeLong(revision);
            out.writeLong(nextLeaseId);
            out.writeInt(leases.size());
            for (Lease l : leases.values()) {
                out.writeLong(l.id);
                out.writeLong(l.ttlMillis);
            }
            out.writeInt(kvs.size());
            for (KeyValue kv : kvs.values()) {
                writeString(out, kv.key());
                writeBytes(out, kv.value());
                out.writeLong(kv.createRevision());
                out.writeLong(kv.modRevision());
                out.writeLong(kv.version());
                out.writeLong(kv.leaseId());
            }
            out.flush();
            new DataOutputStream(buffered).writeInt((int) crc.getValue());
            buffered.flush();
            ch.force(true);
        }
        Files.move(tmp, dir.resolve(SNAPSHOT), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        LocalObjectStore.fsyncDirectory(dir);
        snapshotSeq = seq;
        newJournal();
        log.info("event=metakv_snapshot dir={} seq={} revision={} keys={}", dir, seq, revision, kvs.size());
    }

    private void newJournal() throws IOException {
        Path tmp = dir.resolve(JOURNAL + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            RecordLog.writeFully(ch, RecordLog.fileHeader(JOURNAL_MAGIC, FORMAT_VERSION, seq), 0);
            ch.force(true);
        }
        if (journal != null) {
            journal.close();
        }
        Files.move(tmp, dir.resolve(JOURNAL), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        LocalObjectStore.fsyncDirectory(dir);
        journal = FileChannel.open(dir.resolve(JOURNAL), StandardOpenOption.READ, StandardOpenOption.WRITE);
        journalSize = journal.size();
    }

    // ------------------------------------------------------------------ commit path

    /** Journals (fsync) then applies {@code ops}; returns the revision after. Caller holds the lock. */
    private long commit(List<Mutation> ops) {
        if (ops.isEmpty()) {
            return revision;
        }
        byte[] payload = encode(seq + 1, ops);
        ByteBuffer record = RecordLog.frame(payload);
        long start = journalSize;
        try {
            RecordLog.writeFully(journal, record, start);
            journal.force(false);
        } catch (IOException e) {
            try {
                journal.truncate(start);
                journal.force(true);
            } catch (IOException e2) {
                failed = true;
                log.error("event=journal_unrecoverable dir={} error=\"{}\"", dir, e2.toString());
            }
            throw new StorageException("metakv journal write failed in " + dir, false, e);
        }
        journalSize = start + record.capacity();
        seq++;
        apply(ops, true);
        if (seq - snapshotSeq >= options.snapshotEveryRecords()) {
            try {
                writeSnapshot();
            } catch (IOException e) {
                // The journal still holds everything; try again at the next commit.
                log.warn("event=snapshot_failed dir={} error=\"{}\"", dir, e.toString());
            }
        }
        return revision;
    }

    /** Applies journaled mutations to memory, records history, notifies watches. Caller holds the lock. */
    private void apply(List<Mutation> ops, boolean live) {
        boolean touchesKeys = ops.stream().anyMatch(m -> m instanceof PutKey || m instanceof DeleteKey);
        long rev = touchesKeys ? revision + 1 : revision;
        List<WatchEvent> events = touchesKeys ? new ArrayList<>() : List.of();
        for (Mutation m : ops) {
            switch (m) {
                case PutKey p -> {
                    KeyValue old = kvs.get(p.key());
                    if (old != null && old.leaseId() != 0 && old.leaseId() != p.leaseId()) {
                        Lease ol = leases.get(old.leaseId());
                        if (ol != null) {
                            ol.keys.remove(p.key());
                        }
                    }
                    KeyValue kv = new KeyValue(p.key(), p.value(), old == null ? rev : old.createRevision(), rev,
                            old == null ? 1 : old.version() + 1, p.leaseId());
                    kvs.put(p.key(), kv);
                    if (p.leaseId() != 0) {
                        Lease l = leases.get(p.leaseId());
                        if (l != null) {
                            l.keys.add(p.key());
                        }
                    }
                    events.add(new WatchEvent(EventType.PUT, kv));
                }
                case DeleteKey d -> {
                    KeyValue old = kvs.remove(d.key());
                    if (old != null) {
                        if (old.leaseId() != 0) {
                            Lease l = leases.get(old.leaseId());
                            if (l != null) {
                                l.keys.remove(d.key());
                            }
                        }
                        events.add(new WatchEvent(EventType.DELETE, new KeyValue(d.key(), new byte[0], 0, rev, 0, 0)));
                    }
                }
                case GrantLease g -> {
                    leases.put(g.leaseId(), new Lease(g.leaseId(), g.ttlMillis(), clock.millis() + g.ttlMillis()));
                    nextLeaseId = Math.max(nextLeaseId, g.leaseId() + 1);
                }
                case RevokeLease r -> leases.remove(r.leaseId());
            }
        }
        if (!touchesKeys) {
            return;
        }
        revision = rev;
        Commit c = new Commit(rev, List.copyOf(events));
        history.addLast(c);
        while (history.size() > options.historyRevisions()) {
            compactRevision = history.removeFirst().revision();
        }
        if (live) {
            for (LocalWatch w : watches) {
                w.offer(c.events());
            }
        }
    }

    private static byte[] encode(long recordSeq, List<Mutation> ops) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        DataOutputStream out = new DataOutputStream(bytes);
        try {
            out.writeLong(recordSeq);
            out.writeInt(ops.size());
            for (Mutation m : ops) {
                switch (m) {
                    case PutKey p -> {
                        out.writeByte(OP_PUT);
                        writeString(out, p.key());
                        writeBytes(out, p.value());
                        out.writeLong(p.leaseId());
                    }
                    case DeleteKey d -> {
                        out.writeByte(OP_DELETE);
                        writeString(out, d.key());
                    }
                    case GrantLease g -> {
                        out.writeByte(OP_LEASE_GRANT);
                        out.writeLong(g.leaseId());
                        out.writeLong(g.ttlMillis());
                    }
                    case RevokeLease r -> {
                        out.writeByte(OP_LEASE_REVOKE);
                        out.writeLong(r.leaseId());
                    }
                }
            }
        } catch (IOException e) {
            throw new AssertionError(e); // in-memory
        }
        return bytes.toByteArray();
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        writeBytes(out, s.getBytes(StandardCharsets.UTF_8));
    }

    private static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
        out.writeInt(b.length);
        out.write(b);
    }

    private static String readString(DataInputStream in) throws IOException {
        return new String(readBytes(in), StandardCharsets.UTF_8);
    }

    private static byte[] readBytes(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > MAX_RECORD) {
            throw new IOException("bad length " + n);
        }
        byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }

    /** Takes the lock, checks the store is usable and expires due leases (the lazy check). */
    private void enter(boolean write) {
        lock.lock();
        if (closed) {
            lock.unlock();
            throw new StorageException("metakv is closed: " + dir, false);
        }
        if (write && failed) {
            lock.unlock();
            throw new StorageException("metakv journal failed earlier, restart required: " + dir, false);
        }
        if (!failed) {
            try {
                expireLeasesLocked();
            } catch (RuntimeException e) {
                lock.unlock();
                throw e;
            }
        }
    }

    private void expireLeasesLocked() {
        if (leases.isEmpty()) {
            return;
        }
        long now = clock.millis();
        List<Lease> due = null;
        for (Lease l : leases.values()) {
            if (l.deadlineMillis <= now) {
                (due == null ? due = new ArrayList<>() : due).add(l);
            }
        }
        if (due != null) {
            for (Lease l : due) {
                log.info("event=lease_expired dir={} leaseId={} keys={}", dir, l.id, l.keys.size());
                commit(revokeOps(l));
            }
        }
    }

    private static List<Mutation> revokeOps(Lease l) {
        List<Mutation> ops = new ArrayList<>(l.keys.size() + 1);
        for (String k : l.keys) {
            ops.add(new DeleteKey(k));
        }
        ops.add(new RevokeLease(l.id));
        return ops;
    }

    private void reap() {
        try {
            lock.lock();
            try {
                if (!closed && !failed) {
                    expireLeasesLocked();
                }
            } finally {
                lock.unlock();
            }
        } catch (RuntimeException e) {
            log.warn("event=lease_reaper_failed dir={} error=\"{}\"", dir, e.toString());
        }
    }

    // ------------------------------------------------------------------ reads

    @Override
    public Optional<KeyValue> get(String key) {
        requireNonNull(key, "key is null");
        enter(false);
        try {
            return Optional.ofNullable(kvs.get(key)).map(LocalMetaKv::copy);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public ScanResult scan(String prefix) {
        requireNonNull(prefix, "prefix is null");
        enter(false);
        try {
            List<KeyValue> out = new ArrayList<>();
            for (KeyValue kv : prefixView(prefix).values()) {
                out.add(copy(kv));
            }
            return new ScanResult(out, revision);
        } finally {
            lock.unlock();
        }
    }

    private Map<String, KeyValue> prefixView(String prefix) {
        return prefix.isEmpty() ? kvs : kvs.subMap(prefix, true, prefix + Character.MAX_VALUE, true);
    }

    private static KeyValue copy(KeyValue kv) {
        return new KeyValue(kv.key(), kv.value().clone(), kv.createRevision(), kv.modRevision(), kv.version(), kv.leaseId());
    }

    /** The current store revision. */
    public long revision() {
        enter(false);
        try {
            return revision;
        } finally {
            lock.unlock();
        }
    }

    // ------------------------------------------------------------------ writes

    @Override
    public long put(String key, byte[] value) {
        return put(key, value, 0);
    }

    @Override
    public long put(String key, byte[] value, long leaseId) {
        requireNonNull(key, "key is null");
        requireNonNull(value, "value is null");
        enter(true);
        try {
            checkLease(leaseId);
            return commit(List.of(new PutKey(key, value.clone(), leaseId)));
        } finally {
            lock.unlock();
        }
    }

    private void checkLease(long leaseId) {
        if (leaseId != 0 && !leases.containsKey(leaseId)) {
            throw new StorageException("lease not found: " + leaseId, false);
        }
    }

    @Override
    public boolean delete(String key) {
        requireNonNull(key, "key is null");
        enter(true);
        try {
            if (!kvs.containsKey(key)) {
                return false;
            }
            commit(List.of(new DeleteKey(key)));
            return true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long deletePrefix(String prefix) {
        requireNonNull(prefix, "prefix is null");
        enter(true);
        try {
            List<Mutation> ops = new ArrayList<>();
            for (String k : prefixView(prefix).keySet()) {
                ops.add(new DeleteKey(k));
            }
            commit(ops);
            return ops.size();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean txn(List<Compare> compares, List<Op> onSuccess, List<Op> onFailure) {
        requireNonNull(compares, "compares is null");
        requireNonNull(onSuccess, "onSuccess is null");
        requireNonNull(onFailure, "onFailure is null");
        enter(true);
        try {
            boolean ok = true;
            for (Compare c : compares) {
                KeyValue kv = kvs.get(c.key());
                boolean holds = switch (c) {
                    case Compare.ValueEquals v -> v.value() == null ? kv == null : kv != null && Arrays.equals(kv.value(), v.value());
                    case Compare.ModRevisionEquals m -> (kv == null ? 0 : kv.modRevision()) == m.modRevision();
                    case Compare.Absent a -> kv == null;
                };
                if (!holds) {
                    ok = false;
                    break;
                }
            }
            List<Op> branch = ok ? onSuccess : onFailure;
            // Resolve the ops against the current state plus the effect of earlier ops of this txn.
            Map<String, Boolean> overlay = new HashMap<>(); // key -> exists after the ops so far
            List<Mutation> ops = new ArrayList<>();
            for (Op op : branch) {
                switch (op) {
                    case Op.Put p -> {
                        requireNonNull(p.value(), "value is null");
                        checkLease(p.leaseId());
                        ops.add(new PutKey(p.key(), p.value().clone(), p.leaseId()));
                        overlay.put(p.key(), true);
                    }
                    case Op.Delete d -> {
                        if (overlay.getOrDefault(d.key(), kvs.containsKey(d.key()))) {
                            ops.add(new DeleteKey(d.key()));
                            overlay.put(d.key(), false);
                        }
                    }
                    case Op.DeletePrefix dp -> {
                        Set<String> victims = new java.util.TreeSet<>();
                        for (String k : prefixView(dp.prefix()).keySet()) {
                            if (overlay.getOrDefault(k, true)) {
                                victims.add(k);
                            }
                        }
                        for (Map.Entry<String, Boolean> e : overlay.entrySet()) {
                            if (e.getValue() && e.getKey().startsWith(dp.prefix())) {
                                victims.add(e.getKey());
                            }
                        }
                        for (String k : victims) {
                            ops.add(new DeleteKey(k));
                            overlay.put(k, false);
                        }
                    }
                }
            }
            commit(ops);
            return ok;
        } finally {
            lock.unlock();
        }
    }

    // ------------------------------------------------------------------ leases

    @Override
    public long grantLease(Duration ttl) {
        requireNonNull(ttl, "ttl is null");
        if (ttl.toMillis() <= 0) {
            throw new IllegalArgumentException("lease ttl must be positive: " + ttl);
        }
        enter(true);
        try {
            long id = nextLeaseId;
            commit(List.of(new GrantLease(id, ttl.toMillis())));
            return id;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean keepAlive(long leaseId) {
        enter(false); // expires due leases first, so an expired lease is not revived
        try {
            Lease l = leases.get(leaseId);
            if (l == null) {
                return false;
            }
            l.deadlineMillis = clock.millis() + l.ttlMillis;
            return true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void revokeLease(long leaseId) {
        enter(true);
        try {
            Lease l = leases.get(leaseId);
            if (l != null) {
                commit(revokeOps(l));
            }
        } finally {
            lock.unlock();
        }
    }

    /** Time to live left on a lease, empty if it does not exist (for tests and diagnostics). */
    public Optional<Duration> leaseTimeToLive(long leaseId) {
        enter(false);
        try {
            Lease l = leases.get(leaseId);
            return l == null ? Optional.empty() : Optional.of(Duration.ofMillis(Math.max(0, l.deadlineMillis - clock.millis())));
        } finally {
            lock.unlock();
        }
    }

    // ------------------------------------------------------------------ watches

    @Override
    public Watch watch(String prefix, long fromRevision, WatchListener listener) {
        requireNonNull(prefix, "prefix is null");
        requireNonNull(listener, "listener is null");
        enter(false);
        try {
            LocalWatch w = new LocalWatch(prefix, listener);
            if (fromRevision > 0 && fromRevision < compactRevision) {
                long compacted = compactRevision;
                w.closed = true; // never registered: the watch ends after onCompacted
                w.executor.execute(() -> w.listener.onCompacted(compacted));
                w.executor.shutdown();
                return w;
            }
            if (fromRevision > 0) {
                List<WatchEvent> replay = new ArrayList<>();
                Iterator<Commit> it = history.descendingIterator();
                ArrayDeque<Commit> newer = new ArrayDeque<>();
                while (it.hasNext()) {
                    Commit c = it.next();
                    if (c.revision() <= fromRevision) {
                        break;
                    }
                    newer.addFirst(c);
                }
                for (Commit c : newer) {
                    replay.addAll(c.events());
                }
                w.offer(replay);
            }
            watches.add(w);
            return w;
        } finally {
            lock.unlock();
        }
    }

    private final class LocalWatch implements Watch {
        final String prefix;
        final WatchListener listener;
        final ExecutorService executor;
        volatile boolean closed;

        LocalWatch(String prefix, WatchListener listener) {
            this.prefix = prefix;
            this.listener = listener;
            this.executor = Executors.newSingleThreadExecutor(Thread.ofVirtual().name("metakv-watch-" + WATCH_IDS.incrementAndGet()).factory());
        }

        /** Enqueues the events under the prefix; called with the store lock held (keeps revision order). */
        void offer(List<WatchEvent> events) {
            List<WatchEvent> mine = null;
            for (WatchEvent e : events) {
                if (e.kv().key().startsWith(prefix)) {
                    (mine == null ? mine = new ArrayList<>() : mine).add(new WatchEvent(e.type(), copy(e.kv())));
                }
            }
            if (mine == null || closed) {
                return;
            }
            List<WatchEvent> batch = List.copyOf(mine);
            try {
                executor.execute(() -> {
                    if (closed) {
                        return;
                    }
                    try {
                        listener.onEvents(batch);
                    } catch (RuntimeException e) {
                        log.warn("event=watch_listener_failed prefix={} error=\"{}\"", prefix, e.toString(), e);
                    }
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // closed concurrently
            }
        }

        @Override
        public void close() {
            closed = true;
            watches.remove(this);
            executor.shutdown();
        }
    }

    // ------------------------------------------------------------------ lifecycle

    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            for (LocalWatch w : watches) {
                w.close();
            }
            try {
                journal.close();
            } catch (IOException e) {
                log.warn("event=journal_close_failed dir={} error=\"{}\"", dir, e.toString());
            }
        } finally {
            lock.unlock();
        }
        reaper.shutdownNow();
    }

    @Override
    public String toString() {
        return "LocalMetaKv[" + dir + "]";
    }
}
