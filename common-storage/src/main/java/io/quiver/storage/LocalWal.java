package io.quiver.storage;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded {@link Wal} of standalone mode: one directory per channel holding a segmented log
 * and one cursor file per subscription.
 *
 * <h2>Format and positions</h2>
 * {@code <dir>/<channel>/<baseOffset, 20 digits>.log} segments: a 16-byte header (magic, version,
 * base offset), then records {@code length | CRC32C | payload} ({@link RecordLog}). Every message
 * has a channel-wide offset (its sequence number, from 0, never reused); its {@link WalPosition}
 * is the offset as 8 big-endian bytes ({@link #position(long)}, {@link #offset(WalPosition)}), so
 * positions compare as unsigned byte strings in log order.
 *
 * <h2>Design</h2>
 * <ul>
 *   <li><b>Group commit.</b> {@link #produce} appends under the channel's append lock (a
 *       page-cache write, microseconds) and then waits, outside that lock, until its offset is
 *       fsync'ed. Whichever waiting producer finds no fsync in progress becomes the leader: it
 *       notes the current end, fsyncs once and releases everyone up to that end. Producers that
 *       append meanwhile are covered by the next fsync, so N concurrent producers share one
 *       fsync instead of paying N.</li>
 *   <li><b>Visible implies durable.</b> Consumers only read below the fsync'ed end. An offset a
 *       consumer saw (and maybe acknowledged) can never be lost and reused by a crash.</li>
 *   <li><b>Waiting, not spinning.</b> Polls wait on the channel's condition, signalled by every
 *       fsync; {@code poll(timeout)} returns null after the timeout.</li>
 *   <li><b>Subscriptions and cursors.</b> A subscription's cursor (the last acknowledged offset)
 *       is a small checksummed file written temp + fsync + rename. A <em>new</em> subscription
 *       stores, at once, a cursor just before its start position, so it pins the log from where it
 *       starts reading: from the start for {@code earliest}, nothing for {@code latest}. An
 *       <em>existing</em> subscription resumes after its cursor when subscribed with
 *       {@code earliest}/{@code latest} (Pulsar's rule: the initial position applies only to a new
 *       subscription); an explicit {@code after}/{@code at} position always wins for reading (as a
 *       subscribe + seek), without moving the stored cursor. Acknowledgements only move forward.</li>
 *   <li><b>Truncation rule.</b> After an acknowledge, a subscription deletion, a segment roll and on
 *       {@link #applyRetention()}, every sealed segment is deleted whose last offset is &lt;= the
 *       minimum cursor over <em>all</em> subscriptions of the channel and that was sealed at least
 *       {@link Options#retention} ago ({@code storage.walRetention}). The active segment is never
 *       deleted. A channel with no subscription keeps only the retention window: its consumers-to-be
 *       start at their collection's start position, written when the collection was created, never at
 *       {@code earliest} (docs/architecture.md, "where a vchannel starts"). A read below the first
 *       retained offset skips to it (logged).</li>
 *   <li><b>Stale subscriptions.</b> A subscription left behind by a consumer that died without
 *       deleting it (a querynode that crashed: its subscription name carries its node id) would pin the
 *       log forever. A subscription with no open consumer in this process, not acknowledged, opened or
 *       closed for {@link Options#subscriptionExpiry}, is deleted (Pulsar's subscription expiration:
 *       only subscriptions without a connected consumer expire). A consumer that is open but stuck never
 *       loses its data. The LocalWal lives in one process (standalone), so "no open consumer here"
 *       means nobody reads it; after a restart the clock starts at open.</li>
 *   <li><b>Crash safety.</b> On open each channel's last segment is scanned with CRCs and a torn
 *       tail cut off (event=wal_truncated_tail); sealed segments were fsync'ed at roll and are
 *       checked by CRC on every read. Segments roll at {@link Options#segmentBytes}.</li>
 * </ul>
 * Thread-safe; any number of producers and consumers per channel. A single consumer serializes its
 * own calls.
 */
public final class LocalWal implements Wal {
    private static final Logger log = LoggerFactory.getLogger(LocalWal.class);
    private static final int SEGMENT_MAGIC = 0x5157414c; // "QWAL"
    private static final int CURSOR_MAGIC = 0x51575343; // "QWSC"
    private static final int FORMAT_VERSION = 1;
    private static final int INDEX_EVERY = 64;
    /** Largest record accepted when reading, whatever maxMessageBytes is now (it may have been larger when written). */
    private static final int MAX_RECORD = 1 << 30;
    private static final String SEGMENT_SUFFIX = ".log";
    private static final String CURSORS = "cursors";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,199}");

    /**
     * Tuning knobs; {@link #defaults()}: 64 MiB segments, 32 MiB largest message, no retention beyond the
     * slowest subscription, subscriptions without a consumer expire after a day ({@link Duration#ZERO}: never).
     */
    public record Options(long segmentBytes, int maxMessageBytes, Duration retention, Duration subscriptionExpiry) {
        public static final Duration DEFAULT_SUBSCRIPTION_EXPIRY = Duration.ofDays(1);

        public Options {
            if (segmentBytes < 1024 || maxMessageBytes < 1 || maxMessageBytes > MAX_RECORD) {
                throw new IllegalArgumentException("segmentBytes must be >= 1024 and maxMessageBytes >= 1");
            }
            requireNonNull(retention, "retention is null");
            requireNonNull(subscriptionExpiry, "subscriptionExpiry is null");
            if (retention.isNegative() || subscriptionExpiry.isNegative()) {
                throw new IllegalArgumentException("retention and subscriptionExpiry must not be negative");
            }
        }

        public Options(long segmentBytes, int maxMessageBytes) {
            this(segmentBytes, maxMessageBytes, Duration.ZERO, DEFAULT_SUBSCRIPTION_EXPIRY);
        }

        public static Options defaults() {
            return new Options(64L << 20, 32 << 20);
        }

        /** The same options keeping sealed segments at least {@code retention} after they were sealed. */
        public Options withRetention(Duration retention) {
            return new Options(segmentBytes, maxMessageBytes, retention, subscriptionExpiry);
        }

        public Options withSubscriptionExpiry(Duration expiry) {
            return new Options(segmentBytes, maxMessageBytes, retention, expiry);
        }
    }

    private final Path dir;
    private final Options options;
    private final InstantSource clock;
    private final ConcurrentHashMap<String, Channel> channels = new ConcurrentHashMap<>();
    private volatile boolean closed;

    public LocalWal(Path dir) {
        this(dir, Options.defaults());
    }

    public LocalWal(Path dir, Options options) {
        this(dir, options, InstantSource.system());
    }

    public LocalWal(Path dir, Options options, InstantSource clock) {
        this.dir = requireNonNull(dir, "dir is null");
        this.options = requireNonNull(options, "options is null");
        this.clock = requireNonNull(clock, "clock is null");
        try {
            LocalObjectStore.createDirectoriesDurably(dir);
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, Files::isDirectory)) {
                for (Path p : ds) {
                    String name = p.getFileName().toString();
                    if (NAME.matcher(name).matches()) {
                        channels.put(name, new Channel(name, p));
                    }
                }
            }
        } catch (IOException e) {
            throw new StorageException("cannot open wal in " + dir, false, e);
        }
        log.info("event=wal_opened dir={} channels={} retention={} subscriptionExpiry={}", dir, channels.size(),
                options.retention(), options.subscriptionExpiry());
    }

    /** The position of the message with {@code offset}: 8 big-endian bytes. */
    public static WalPosition position(long offset) {
        return new WalPosition(ByteBuffer.allocate(8).putLong(offset).array());
    }

    /** The offset a {@link LocalWal} position stands for. */
    public static long offset(WalPosition position) {
        byte[] b = requireNonNull(position, "position is null").bytes();
        if (b.length != 8) {
            throw new IllegalArgumentException("not a LocalWal position: " + position);
        }
        return ByteBuffer.wrap(b).getLong();
    }

    private static void checkName(String what, String name) {
        requireNonNull(name, what + " is null");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("invalid " + what + " name (letters, digits, '.', '_', '-'): " + name);
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new StorageException("wal is closed: " + dir, false);
        }
    }

    private Channel channel(String name) {
        checkName("channel", name);
        checkOpen();
        return channels.computeIfAbsent(name, n -> {
            try {
                return new Channel(n, dir.resolve(n));
            } catch (IOException e) {
                throw new StorageException("cannot create channel " + n, false, e);
            }
        });
    }

    @Override
    public WalPosition produce(String channel, byte[] payload) {
        requireNonNull(payload, "payload is null");
        if (payload.length > options.maxMessageBytes()) {
            throw new IllegalArgumentException("message of " + payload.length + " bytes exceeds maxMessageBytes=" + options.maxMessageBytes());
        }
        Channel ch = channel(channel);
        long offset = ch.append(payload);
        ch.awaitDurable(offset);
        return position(offset);
    }

    @Override
    public Consumer subscribe(String channel, String subscription, StartPosition start) {
        checkName("subscription", subscription);
        requireNonNull(start, "start is null");
        return channel(channel).subscribe(subscription, start);
    }

    @Override
    public void deleteSubscription(String channel, String subscription) {
        checkName("channel", channel);
        checkName("subscription", subscription);
        checkOpen();
        Channel ch = channels.get(channel);
        if (ch != null) {
            ch.deleteSubscription(subscription);
        }
    }

    @Override
    public int compare(WalPosition a, WalPosition b) {
        return Long.compare(offset(a), offset(b));
    }

    @Override
    public List<String> channels() {
        checkOpen();
        return channels.keySet().stream().sorted().toList();
    }

    /**
     * Applies the truncation rule (retention, stale subscriptions) to every channel now; the rule also runs on
     * every acknowledge and segment roll, so this only matters for channels that neither receive writes nor
     * acknowledgements (call it periodically to let a time-based retention window pass on idle channels).
     */
    public void applyRetention() {
        checkOpen();
        for (Channel ch : channels.values()) {
            ch.truncate();
        }
    }

    /** Number of segment files of a channel (diagnostics and tests). */
    public int segmentCount(String channel) {
        Channel ch = channels.get(channel);
        return ch == null ? 0 : ch.segments.size();
    }

    /** Group-commit fsyncs done on a channel since open (diagnostics and benchmarks). */
    public long fsyncCount(String channel) {
        Channel ch = channels.get(channel);
        return ch == null ? 0 : ch.fsyncs.sum();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Channel ch : channels.values()) {
            ch.close();
        }
        log.info("event=wal_closed dir={}", dir);
    }

    @Override
    public String toString() {
        return "LocalWal[" + dir + "]";
    }

    // ====================================================================== segment

    /** One segment file. The sparse index maps every {@value #INDEX_EVERY}th record to its file position. */
    /** An active segment at least this large rolls once it is {@link #ROLL_AGE_MS} old, so truncation can drop it. */
    static final long ROLL_AGE_MIN_BYTES = 1L << 20;
    static final long ROLL_AGE_MS = 60_000;

    private static final class Segment {
        final long base;
        final Path path;
        private volatile FileChannel fc;
        volatile boolean deleted;
        private long[] index = new long[16]; // guarded by this
        private int indexed; // guarded by this
        long count; // records; written under the append lock, read after a happens-before via durableEnd
        long size; // bytes; guarded by the append lock
        /** When the segment was sealed (epoch ms); MAX_VALUE while it is the active one. */
        volatile long sealedMs = Long.MAX_VALUE;
        /** When this segment became the active one (an active segment rolls by age too, so acknowledged data can go). */
        volatile long activeSinceMs;

        Segment(long base, Path path, FileChannel fc) {
            this.base = base;
            this.path = path;
            this.fc = fc;
        }

        synchronized void addIndex(long offset, long pos) {
            if ((offset - base) % INDEX_EVERY == 0) {
                if (indexed == index.length) {
                    index = Arrays.copyOf(index, indexed * 2);
                }
                index[indexed++] = pos;
            }
        }

        synchronized long indexed(int slot) {
            return index[slot];
        }

        /** The channel, reopened if an interrupted thread closed it (FileChannel closes on interrupt). */
        FileChannel channel() throws IOException {
            FileChannel c = fc;
            if (c.isOpen() || deleted) {
                return c;
            }
            synchronized (this) {
                if (!fc.isOpen() && !deleted) {
                    fc = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
                }
                return fc;
            }
        }

        void closeQuietly() {
            try {
                fc.close();
            } catch (IOException e) {
                log.warn("event=segment_close_failed path={} error=\"{}\"", path, e.toString());
            }
        }
    }

    private interface ChannelIo<T> {
        T run(FileChannel fc) throws IOException;
    }

    /**
     * Runs {@code io} on the segment's channel, retrying if a thread interrupt closed the shared
     * channel under us (the interrupt status is restored afterwards). Throws ClosedChannelException
     * if the segment was deleted.
     */
    private static <T> T io(Segment s, ChannelIo<T> io) throws IOException {
        boolean interrupted = false;
        try {
            for (int attempt = 0; ; attempt++) {
                try {
                    return io.run(s.channel());
                } catch (ClosedChannelException e) {
                    if (s.deleted || attempt >= 3) {
                        throw e;
                    }
                    interrupted |= Thread.interrupted();
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // ====================================================================== channel

    private final class Channel {
        final String name;
        final Path path;
        final Path cursorDir;
        final ConcurrentSkipListMap<Long, Segment> segments = new ConcurrentSkipListMap<>();

        final ReentrantLock appendLock = new ReentrantLock();
        private Segment active; // guarded by appendLock
        private long nextOffset; // guarded by appendLock

        final ReentrantLock syncLock = new ReentrantLock();
        final Condition durableChanged = syncLock.newCondition();
        /** Every offset below this is fsync'ed and readable. Written under syncLock. */
        volatile long durableEnd;
        private boolean syncing; // guarded by syncLock
        volatile IOException failure;
        final java.util.concurrent.atomic.LongAdder fsyncs = new java.util.concurrent.atomic.LongAdder();

        private final Map<String, Long> cursors = new HashMap<>(); // guarded by itself
        /** Open consumers per subscription, in this process. Guarded by cursors. */
        private final Map<String, Integer> openConsumers = new HashMap<>();
        /** Last subscribe, acknowledge or consumer close per subscription (epoch ms). Guarded by cursors. */
        private final Map<String, Long> lastActive = new HashMap<>();

        Channel(String name, Path path) throws IOException {
            this.name = name;
            this.path = path;
            this.cursorDir = path.resolve(CURSORS);
            LocalObjectStore.createDirectoriesDurably(cursorDir);
            List<Path> files = new ArrayList<>();
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(path, "*" + SEGMENT_SUFFIX)) {
                ds.forEach(files::add);
            }
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(path, "*.tmp")) {
                for (Path p : ds) {
                    Files.deleteIfExists(p);
                }
            }
            files.sort(null); // zero-padded bases sort numerically
            for (int i = 0; i < files.size(); i++) {
                openSegment(files.get(i), i == files.size() - 1);
            }
            if (segments.isEmpty()) {
                active = createSegment(0);
                nextOffset = 0;
            } else {
                active = segments.lastEntry().getValue();
                nextOffset = active.base + active.count;
            }
            durableEnd = nextOffset;
            loadCursors();
            log.info("event=wal_channel_opened channel={} segments={} firstOffset={} nextOffset={} subscriptions={}",
                    name, segments.size(), segments.firstKey(), nextOffset, cursors.size());
        }

        private void openSegment(Path file, boolean last) throws IOException {
            FileChannel fc = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
            long base = RecordLog.readFileHeader(fc, SEGMENT_MAGIC, FORMAT_VERSION, file);
            String expected = String.format("%020d", base) + SEGMENT_SUFFIX;
            if (!file.getFileName().toString().equals(expected)) {
                fc.close();
                throw new StorageException("segment " + file + " has base offset " + base + " in its header", false);
            }
            if (!segments.isEmpty()) {
                Segment prev = segments.lastEntry().getValue();
                if (prev.base + prev.count != base) {
                    fc.close();
                    throw new StorageException("wal channel " + name + ": gap or overlap before segment " + file
                            + " (previous ends at " + (prev.base + prev.count) + ")", false);
                }
            }
            Segment s = new Segment(base, file, fc);
            RecordLog.ScanResult scan = RecordLog.scan(fc, RecordLog.FILE_HEADER, MAX_RECORD, last,
                    (pos, payload) -> s.addIndex(s.base + s.count++, pos));
            if (scan.reason() != null) {
                if (!last || scan.corrupt()) {
                    fc.close();
                    // sealed segments were fsync'ed whole at roll, and a torn write only ever tears the end of the
                    // active one: this is media corruption, and cutting there would drop acknowledged messages
                    throw new StorageException("wal channel " + name + ": corrupt segment " + file + " at byte "
                            + scan.validEnd() + " (" + scan.reason() + ")", false);
                }
                log.warn("event=wal_truncated_tail channel={} segment={} offset={} droppedBytes={} reason=\"{}\"",
                        name, file.getFileName(), scan.validEnd(), fc.size() - scan.validEnd(), scan.reason());
                fc.truncate(scan.validEnd());
                fc.force(true);
            }
            s.size = scan.validEnd();
            if (!last) {
                s.sealedMs = Files.getLastModifiedTime(file).toMillis(); // its last write, at the roll that sealed it
            }
            segments.put(base, s);
        }

        /** Creates an empty segment (temp + fsync + rename, so a segment file always has its header). */
        private Segment createSegment(long base) throws IOException {
            Path file = path.resolve(String.format("%020d", base) + SEGMENT_SUFFIX);
            Path tmp = path.resolve(file.getFileName() + ".tmp");
            try (FileChannel fc = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
                RecordLog.writeFully(fc, RecordLog.fileHeader(SEGMENT_MAGIC, FORMAT_VERSION, base), 0);
                fc.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            LocalObjectStore.fsyncDirectory(path);
            Segment s = new Segment(base, file, FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE));
            s.size = RecordLog.FILE_HEADER;
            s.activeSinceMs = clock.millis();
            segments.put(base, s);
            return s;
        }

        // ---------------------------------------------------------------- produce

        long append(byte[] payload) {
            ByteBuffer frame = RecordLog.frame(payload);
            boolean rolled = false;
            appendLock.lock();
            try {
                checkOpen();
                if (failure != null) {
                    throw new StorageException("wal channel " + name + " failed earlier, restart required", false, failure);
                }
                boolean full = active.size + frame.remaining() > options.segmentBytes();
                // a busy channel's acknowledged data must not wait for 64 MiB: roll an active segment of some size by age
                boolean aged = active.size >= ROLL_AGE_MIN_BYTES && clock.millis() - active.activeSinceMs >= ROLL_AGE_MS;
                if (active.count > 0 && (full || aged)) {
                    roll();
                    rolled = true;
                }
                Segment s = active;
                long pos = s.size;
                try {
                    io(s, fc -> {
                        frame.rewind();
                        RecordLog.writeFully(fc, frame, pos);
                        return null;
                    });
                } catch (IOException e) {
                    try {
                        io(s, fc -> fc.truncate(pos)); // cut the partial record off
                    } catch (IOException e2) {
                        failure = e2;
                        log.error("event=wal_channel_failed channel={} error=\"{}\"", name, e2.toString());
                    }
                    throw new StorageException("wal append failed on channel " + name, false, e);
                }
                long offset = nextOffset++;
                s.addIndex(offset, pos);
                s.size = pos + frame.capacity();
                s.count++;
                return offset;
            } finally {
                appendLock.unlock();
                if (rolled) {
                    truncateQuietly(); // outside the append lock: truncate takes the cursor lock first
                }
            }
        }

        /** Seals the active segment (fsync) and starts a new one. Caller holds appendLock. */
        private void roll() {
            Segment old = active;
            try {
                io(old, fc -> {
                    fc.force(false);
                    return null;
                });
                active = createSegment(nextOffset);
                old.sealedMs = clock.millis();
            } catch (IOException e) {
                failure = e;
                log.error("event=wal_channel_failed channel={} error=\"{}\"", name, e.toString());
                throw new StorageException("wal segment roll failed on channel " + name, false, e);
            }
            markDurable(nextOffset); // everything in the sealed segment is on disk now
            log.info("event=wal_segment_rolled channel={} sealedBase={} newBase={} sealedBytes={}", name, old.base, active.base, old.size);
        }

        private void markDurable(long end) {
            syncLock.lock();
            try {
                if (end > durableEnd) {
                    durableEnd = end;
                    durableChanged.signalAll();
                }
            } finally {
                syncLock.unlock();
            }
        }

        /** Group commit: returns once {@code offset} is fsync'ed, fsyncing as leader if nobody is. */
        void awaitDurable(long offset) {
            syncLock.lock();
            try {
                while (durableEnd <= offset) {
                    if (failure != null) {
                        throw new StorageException("wal fsync failed on channel " + name, false, failure);
                    }
                    if (closed) {
                        throw new StorageException("wal closed before message became durable: channel " + name, true);
                    }
                    if (syncing) {
                        durableChanged.awaitUninterruptibly();
                        continue;
                    }
                    syncing = true;
                    syncLock.unlock();
                    long target = -1;
                    IOException error = null;
                    try {
                        Segment s;
                        appendLock.lock();
                        try {
                            target = nextOffset;
                            s = active;
                        } finally {
                            appendLock.unlock();
                        }
                        try {
                            io(s, fc -> {
                                fc.force(false);
                                return null;
                            });
                            fsyncs.increment();
                        } catch (ClosedChannelException e) {
                            if (!s.deleted && !closed) {
                                throw e;
                            }
                            // sealed (fsync'ed at roll) and then truncated away, or wal closed: durableEnd decides
                            target = -1;
                        }
                    } catch (IOException e) {
                        error = e;
                    } finally {
                        syncLock.lock();
                        syncing = false;
                        if (error != null) {
                            failure = error;
                            log.error("event=wal_fsync_failed channel={} error=\"{}\"", name, error.toString());
                        } else if (target > durableEnd) {
                            durableEnd = target;
                        }
                        durableChanged.signalAll();
                    }
                }
            } finally {
                syncLock.unlock();
            }
        }

        // ---------------------------------------------------------------- subscriptions

        private Path cursorPath(String subscription) {
            return cursorDir.resolve(subscription + ".cursor");
        }

        private void loadCursors() throws IOException {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(cursorDir)) {
                for (Path p : ds) {
                    String file = p.getFileName().toString();
                    if (file.endsWith(".tmp")) {
                        Files.deleteIfExists(p);
                        continue;
                    }
                    if (!file.endsWith(".cursor")) {
                        continue;
                    }
                    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(p));
                    if (b.remaining() != 20 || b.getInt() != CURSOR_MAGIC || b.getInt() != FORMAT_VERSION
                            || RecordLog.crc(b.array(), 0, 16) != b.getInt(16)) {
                        // written by temp + rename, so this is media corruption: do not guess a position
                        throw new StorageException("corrupt cursor file " + p, false);
                    }
                    String subscription = file.substring(0, file.length() - ".cursor".length());
                    cursors.put(subscription, b.getLong(8));
                    lastActive.put(subscription, clock.millis()); // expiry counts from open, not from before a restart
                }
            }
        }

        private void writeCursor(String subscription, long acked) {
            ByteBuffer b = ByteBuffer.allocate(20).putInt(CURSOR_MAGIC).putInt(FORMAT_VERSION).putLong(acked);
            b.putInt(RecordLog.crc(b.array(), 0, 16)).flip();
            Path target = cursorPath(subscription);
            Path tmp = cursorDir.resolve(subscription + ".cursor.tmp");
            try {
                try (FileChannel fc = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
                    RecordLog.writeFully(fc, b, 0);
                    fc.force(true);
                }
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                LocalObjectStore.fsyncDirectory(cursorDir);
            } catch (IOException e) {
                throw new StorageException("cannot store cursor of subscription " + subscription + " on channel " + name, false, e);
            }
        }

        long firstOffset() {
            return segments.firstKey();
        }

        long latestOffset() {
            appendLock.lock();
            try {
                return nextOffset;
            } finally {
                appendLock.unlock();
            }
        }

        /** The offset a start position names; clamped to what is retained. */
        long resolve(StartPosition start) {
            long o = switch (start) {
                case StartPosition.Earliest e -> firstOffset();
                case StartPosition.Latest l -> latestOffset();
                case StartPosition.After a -> offset(a.position()) + 1;
                case StartPosition.At a -> offset(a.position());
            };
            if (o < 0) {
                throw new IllegalArgumentException("negative offset in start position " + start);
            }
            return Math.max(o, firstOffset());
        }

        Consumer subscribe(String subscription, StartPosition start) {
            long next;
            synchronized (cursors) {
                Long acked = cursors.get(subscription);
                boolean explicit = start instanceof StartPosition.After || start instanceof StartPosition.At;
                if (acked == null) {
                    next = resolve(start);
                    writeCursor(subscription, next - 1); // pins the log from where this subscription starts
                    cursors.put(subscription, next - 1);
                    log.info("event=wal_subscription_created channel={} subscription={} startOffset={}", name, subscription, next);
                } else {
                    next = explicit ? resolve(start) : Math.max(acked + 1, firstOffset());
                }
                openConsumers.merge(subscription, 1, Integer::sum);
                lastActive.put(subscription, clock.millis());
            }
            return new LocalConsumer(this, subscription, next);
        }

        void closeConsumer(String subscription) {
            synchronized (cursors) {
                openConsumers.computeIfPresent(subscription, (k, n) -> n > 1 ? n - 1 : null);
                if (cursors.containsKey(subscription)) {
                    lastActive.put(subscription, clock.millis());
                }
            }
        }

        void acknowledge(String subscription, long offset) {
            if (offset >= durableEnd) {
                throw new IllegalArgumentException("cannot acknowledge offset " + offset + " of channel " + name
                        + ": not yet written (end " + durableEnd + ")");
            }
            synchronized (cursors) {
                Long acked = cursors.get(subscription);
                if (acked != null && offset <= acked) {
                    return; // acknowledgements only move forward
                }
                writeCursor(subscription, offset);
                cursors.put(subscription, offset);
                lastActive.put(subscription, clock.millis());
            }
            truncate();
        }

        void deleteSubscription(String subscription) {
            synchronized (cursors) {
                if (!removeCursor(subscription)) {
                    return;
                }
            }
            log.info("event=wal_subscription_deleted channel={} subscription={}", name, subscription);
            truncate();
        }

        /** Removes a subscription's cursor file and state; false if it did not exist. Caller holds cursors. */
        private boolean removeCursor(String subscription) {
            if (cursors.remove(subscription) == null) {
                return false;
            }
            lastActive.remove(subscription);
            try {
                Files.deleteIfExists(cursorPath(subscription));
                LocalObjectStore.fsyncDirectory(cursorDir);
            } catch (IOException e) {
                throw new StorageException("cannot delete subscription " + subscription + " of channel " + name, false, e);
            }
            return true;
        }

        /** Deletes subscriptions without an open consumer that were inactive for the expiry. Caller holds cursors. */
        private void expireStaleSubscriptions(long now) {
            long expiry = options.subscriptionExpiry().toMillis();
            if (expiry <= 0) {
                return;
            }
            for (String sub : List.copyOf(cursors.keySet())) {
                long idle = now - lastActive.getOrDefault(sub, now);
                if (!openConsumers.containsKey(sub) && idle >= expiry) {
                    Long cursor = cursors.get(sub);
                    removeCursor(sub);
                    log.warn("event=wal_subscription_expired channel={} subscription={} cursor={} idleMs={}", name, sub, cursor, idle);
                }
            }
        }

        private void truncateQuietly() {
            try {
                truncate();
            } catch (RuntimeException e) {
                log.warn("event=wal_truncate_failed channel={} error=\"{}\"", name, e.toString());
            }
        }

        /**
         * Deletes sealed segments wholly at or below the minimum cursor of all subscriptions (any, if there is
         * none) and sealed at least the retention ago, after expiring stale subscriptions.
         */
        void truncate() {
            long now = clock.millis();
            long min;
            synchronized (cursors) {
                expireStaleSubscriptions(now);
                min = cursors.values().stream().mapToLong(Long::longValue).min().orElse(Long.MAX_VALUE);
            }
            long sealedBefore = now - options.retention().toMillis();
            appendLock.lock();
            try {
                while (segments.size() > 1) {
                    Map.Entry<Long, Segment> first = segments.firstEntry();
                    Segment s = first.getValue();
                    Long nextBase = segments.higherKey(first.getKey());
                    if (s == active || nextBase == null || nextBase - 1 > min || s.sealedMs > sealedBefore) {
                        break;
                    }
                    segments.remove(first.getKey());
                    s.deleted = true;
                    s.closeQuietly();
                    try {
                        Files.deleteIfExists(s.path);
                    } catch (IOException e) {
                        log.warn("event=wal_segment_delete_failed channel={} segment={} error=\"{}\"", name, s.path, e.toString());
                    }
                    log.info("event=wal_segment_truncated channel={} base={} lastOffset={} minCursor={}", name, s.base, nextBase - 1,
                            min == Long.MAX_VALUE ? "none" : min);
                }
            } finally {
                appendLock.unlock();
            }
        }

        // ---------------------------------------------------------------- read

        /** Waits until {@code offset} is readable; false on timeout. */
        boolean awaitReadable(long offset, long timeoutNanos) throws InterruptedException {
            if (durableEnd > offset) {
                return true;
            }
            long remaining = timeoutNanos;
            syncLock.lock();
            try {
                while (durableEnd <= offset) {
                    if (closed) {
                        throw new StorageException("wal is closed: " + dir, false);
                    }
                    if (remaining <= 0) {
                        return false;
                    }
                    remaining = durableChanged.awaitNanos(remaining);
                }
                return true;
            } finally {
                syncLock.unlock();
            }
        }

        void close() {
            appendLock.lock();
            try {
                try {
                    io(active, fc -> {
                        fc.force(false);
                        return null;
                    });
                } catch (IOException e) {
                    log.warn("event=wal_close_fsync_failed channel={} error=\"{}\"", name, e.toString());
                }
                for (Segment s : segments.values()) {
                    s.deleted = true; // no reopen after close
                    s.closeQuietly();
                }
            } finally {
                appendLock.unlock();
            }
            syncLock.lock();
            try {
                durableChanged.signalAll();
            } finally {
                syncLock.unlock();
            }
        }
    }

    // ====================================================================== consumer

    private final class LocalConsumer implements Consumer {
        private final Channel ch;
        private final String subscription;
        private final ReentrantLock lock = new ReentrantLock();
        private long next; // guarded by lock
        // read hint: file position of offset hintOffset in hintSegment, so sequential reads do not re-scan
        private Segment hintSegment; // guarded by lock
        private long hintOffset = -1; // guarded by lock
        private long hintPos; // guarded by lock
        private volatile boolean consumerClosed;

        LocalConsumer(Channel ch, String subscription, long next) {
            this.ch = ch;
            this.subscription = subscription;
            this.next = next;
        }

        @Override
        public WalMessage poll(Duration timeout) {
            List<WalMessage> one = pollBatch(1, timeout);
            return one.isEmpty() ? null : one.get(0);
        }

        @Override
        public List<WalMessage> pollBatch(int max, Duration timeout) {
            if (max < 1) {
                throw new IllegalArgumentException("max must be >= 1");
            }
            requireNonNull(timeout, "timeout is null");
            long deadline = System.nanoTime() + timeout.toNanos();
            try {
                if (!lock.tryLock(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                    return List.of();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StorageException("interrupted while polling channel " + ch.name, true, e);
            }
            try {
                checkConsumer();
                if (!ch.awaitReadable(next, deadline - System.nanoTime())) {
                    return List.of();
                }
                checkConsumer();
                List<WalMessage> out = new ArrayList<>(Math.min(max, 64));
                long end = ch.durableEnd;
                while (out.size() < max && next < end) {
                    WalMessage m = read();
                    if (m != null) {
                        out.add(m);
                    }
                }
                return out;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StorageException("interrupted while polling channel " + ch.name, true, e);
            } finally {
                lock.unlock();
            }
        }

        private void checkConsumer() {
            if (consumerClosed) {
                throw new StorageException("consumer is closed: " + ch.name + "/" + subscription, false);
            }
            checkOpen();
        }

        /** Reads the message at {@code next} and advances; null if it had been truncated (next moves on). */
        private WalMessage read() {
            for (int attempt = 0; ; attempt++) {
                Map.Entry<Long, Segment> e = ch.segments.floorEntry(next);
                if (e == null) {
                    long first = ch.firstOffset();
                    log.warn("event=wal_read_truncated channel={} subscription={} offset={} firstRetained={}", ch.name, subscription, next, first);
                    next = first;
                    return null;
                }
                Segment s = e.getValue();
                try {
                    long pos;
                    if (s == hintSegment && next == hintOffset) {
                        pos = hintPos;
                    } else {
                        pos = locate(s, next);
                    }
                    ByteBuffer header = ByteBuffer.allocate(RecordLog.RECORD_HEADER);
                    final long at = pos;
                    io(s, fc -> {
                        RecordLog.readFully(fc, header, at);
                        return null;
                    });
                    header.flip();
                    int len = header.getInt();
                    int crc = header.getInt();
                    if (header.limit() < RecordLog.RECORD_HEADER || len < 0 || len > MAX_RECORD) {
                        throw corrupt(s, "bad record header");
                    }
                    ByteBuffer payload = ByteBuffer.allocate(len);
                    io(s, fc -> {
                        RecordLog.readFully(fc, payload, at + RecordLog.RECORD_HEADER);
                        return null;
                    });
                    payload.flip();
                    if (payload.remaining() != len || RecordLog.crc(payload) != crc) {
                        throw corrupt(s, "CRC mismatch");
                    }
                    WalMessage m = new WalMessage(ch.name, position(next), payload.array());
                    hintSegment = s;
                    hintOffset = ++next;
                    hintPos = at + RecordLog.RECORD_HEADER + len;
                    return m;
                } catch (ClosedChannelException ex) {
                    if (closed) {
                        throw new StorageException("wal is closed: " + dir, false, ex);
                    }
                    if (attempt > 3) {
                        throw new StorageException("cannot read channel " + ch.name + " at offset " + next, true, ex);
                    }
                    // the segment was truncated away under us: look again
                } catch (IOException ex) {
                    throw new StorageException("cannot read channel " + ch.name + " at offset " + next, false, ex);
                }
            }
        }

        private StorageException corrupt(Segment s, String why) {
            return new StorageException("corrupt wal record: channel=" + ch.name + " segment=" + s.path.getFileName() + " offset=" + next + " (" + why + ")", false);
        }

        /** File position of {@code offset} in {@code s}: sparse index, then walk record headers. */
        private long locate(Segment s, long offset) throws IOException {
            int slot = (int) ((offset - s.base) / INDEX_EVERY);
            long pos = s.indexed(slot);
            ByteBuffer header = ByteBuffer.allocate(RecordLog.RECORD_HEADER);
            for (long o = s.base + (long) slot * INDEX_EVERY; o < offset; o++) {
                header.clear();
                final long at = pos;
                io(s, fc -> {
                    RecordLog.readFully(fc, header, at);
                    return null;
                });
                pos += RecordLog.RECORD_HEADER + header.getInt(0);
            }
            return pos;
        }

        @Override
        public Optional<WalPosition> lastPosition() {
            long end = ch.durableEnd; // produce returns only once its offset is below durableEnd
            return end == 0 ? Optional.empty() : Optional.of(position(end - 1));
        }

        @Override
        public void seek(StartPosition start) {
            requireNonNull(start, "start is null");
            lock.lock();
            try {
                checkConsumer();
                next = ch.resolve(start);
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void acknowledge(WalPosition position) {
            checkConsumer();
            ch.acknowledge(subscription, offset(position));
        }

        @Override
        public void close() {
            if (consumerClosed) {
                return;
            }
            consumerClosed = true;
            ch.closeConsumer(subscription);
        }
    }
}
