package io.quiver.storage;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import org.apache.pulsar.client.api.ClientBuilder;
import org.apache.pulsar.client.api.Message;
import org.apache.pulsar.client.api.MessageId;
import org.apache.pulsar.client.api.MessageIdAdv;
import org.apache.pulsar.client.api.Producer;
import org.apache.pulsar.client.api.PulsarClient;
import org.apache.pulsar.client.api.PulsarClientException;
import org.apache.pulsar.client.api.SubscriptionInitialPosition;
import org.apache.pulsar.client.api.SubscriptionMode;
import org.apache.pulsar.client.api.SubscriptionType;
import org.apache.pulsar.client.api.TopicMessageId;
import org.apache.pulsar.client.impl.PulsarClientImpl;
import org.apache.pulsar.common.api.proto.CommandGetTopicsOfNamespace;
import org.apache.pulsar.common.naming.NamespaceName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Wal} on Apache Pulsar (cluster mode, DESIGN section 4): one non-partitioned persistent
 * topic per channel, {@code persistent://<tenant/namespace>/<clusterPrefix>-<channel>}.
 *
 * <ul>
 *   <li><b>Durable produce.</b> {@link #produce} is a synchronous send without batching: it returns
 *       once the broker acknowledged the message (written to the bookies), and its position is the
 *       serialized {@link MessageId}. A send that times out or finds the broker unavailable fails with
 *       a retriable {@link StorageException}; it is not silently replayed (that could duplicate).</li>
 *   <li><b>Subscriptions</b> are durable, exclusive Pulsar subscriptions (one live consumer per
 *       subscription). {@code earliest}/{@code latest} are the initial position of a <em>new</em>
 *       subscription only; an existing one resumes after its acknowledged cursor. {@code after}/{@code at}
 *       subscribe and then {@code seek}: unlike {@link LocalWal}, the seek also moves the stored cursor
 *       (Pulsar resets the subscription), which for the usual "resume after my checkpoint" is the
 *       same thing.</li>
 *   <li><b>Acknowledge</b> is a cumulative acknowledgement with a broker receipt: the subscription's
 *       mark-delete position moves to the position, and Pulsar deletes ledgers that lie entirely below
 *       every subscription's mark-delete position (with the namespace's retention, Pulsar's default 0,
 *       i.e. nothing acknowledged is kept). No infinite retention is configured.</li>
 *   <li><b>At-least-once.</b> After a broker crash Pulsar may redeliver messages acknowledged shortly
 *       before it (the cursor is persisted asynchronously): consumers must tolerate duplicates (the
 *       conformance capability {@code exactlyOnceDelivery} is false).</li>
 *   <li><b>Channels</b> come from the broker's topic list of the namespace (binary protocol, no admin
 *       API needed), filtered by the cluster prefix.</li>
 * </ul>
 * <b>Retention is the broker's.</b> What Pulsar keeps behind the slowest subscription, and on a topic with no
 * subscription at all, is the namespace retention policy (Pulsar trims at ledger roll-over); LocalWal follows
 * the same rule with {@code storage.walRetention}. Setting a per-topic or namespace policy needs the admin API
 * ({@code pulsar-client-admin}), which Quiver does not ship, so {@code storage.walRetention} affects LocalWal
 * only: set it on the broker, e.g. {@code pulsar-admin namespaces set-retention public/default --time 1h
 * --size -1}. Likewise, subscriptions left behind by a crashed consumer (a querynode's subscription name
 * carries its node id) expire with the broker's {@code subscriptionExpirationTimeMinutes} (or {@code
 * pulsar-admin namespaces set-subscription-expiration-time}); LocalWal expires them itself. Thread-safe.
 */
public final class PulsarWal implements Wal {
    private static final Logger log = LoggerFactory.getLogger(PulsarWal.class);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,199}");
    private static final Pattern NAMESPACE = Pattern.compile("[A-Za-z0-9._-]+/[A-Za-z0-9._-]+");

    private final PulsarClient client;
    private final String namespace;
    private final String topicPrefix;
    private final Map<String, Producer<byte[]>> producers = new ConcurrentHashMap<>();
    private final Set<PulsarConsumer> consumers = ConcurrentHashMap.newKeySet();
    private final Set<String> knownChannels = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final long operationTimeoutMillis;
    public static final Duration DEFAULT_OPERATION_TIMEOUT = Duration.ofSeconds(15);

    /**
     * @param serviceUrl      e.g. {@code pulsar://127.0.0.1:6650}
     * @param tenantNamespace e.g. {@code public/default}
     * @param clusterPrefix   topic name prefix ("" for none); topics are {@code <clusterPrefix>-<channel>}
     */
    public PulsarWal(String serviceUrl, String tenantNamespace, String clusterPrefix) {
        this(serviceUrl, tenantNamespace, clusterPrefix, DEFAULT_OPERATION_TIMEOUT);
    }

    public PulsarWal(String serviceUrl, String tenantNamespace, String clusterPrefix, Duration operationTimeout) {
        this(serviceUrl, tenantNamespace, clusterPrefix, operationTimeout, PulsarAuth.NONE);
    }

    /** As above, authenticating to the broker with {@code auth}. */
    public PulsarWal(String serviceUrl, String tenantNamespace, String clusterPrefix, Duration operationTimeout, PulsarAuth auth) {
        requireNonNull(serviceUrl, "serviceUrl");
        requireNonNull(auth, "auth is null");
        this.namespace = requireNonNull(tenantNamespace, "tenantNamespace");
        if (!NAMESPACE.matcher(tenantNamespace).matches()) {
            throw new IllegalArgumentException("tenantNamespace must look like 'tenant/namespace': " + tenantNamespace);
        }
        String prefix = clusterPrefix == null ? "" : clusterPrefix;
        if (!prefix.isEmpty() && !NAME.matcher(prefix).matches()) {
            throw new IllegalArgumentException("invalid cluster prefix: " + prefix);
        }
        this.topicPrefix = prefix.isEmpty() ? "" : prefix + "-";
        this.operationTimeoutMillis = operationTimeout.toMillis();
        try {
            ClientBuilder builder = PulsarClient.builder()
                    .serviceUrl(serviceUrl)
                    .operationTimeout((int) operationTimeoutMillis, TimeUnit.MILLISECONDS)
                    .lookupTimeout((int) operationTimeoutMillis, TimeUnit.MILLISECONDS)
                    .connectionTimeout(5, TimeUnit.SECONDS)
                    .ioThreads(1)
                    .listenerThreads(1);
            if (auth.enabled()) {
                builder.authentication(auth.authentication());
            }
            this.client = builder.build();
        } catch (PulsarClientException e) {
            throw failure("connect", e);
        }
    }

    // ------------------------------------------------------------------ helpers

    private static void checkName(String what, String name) {
        requireNonNull(name, what);
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("invalid " + what + " name (letters, digits, '.', '_', '-'): " + name);
        }
    }

    private String topic(String channel) {
        checkName("channel", channel);
        return "persistent://" + namespace + "/" + topicPrefix + channel;
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new StorageException("PulsarWal is closed", false);
        }
    }

    static StorageException failure(String what, Throwable t) {
        while ((t instanceof ExecutionException || t instanceof java.util.concurrent.CompletionException) && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof StorageException se) {
            return se;
        }
        boolean retriable = t instanceof PulsarClientException.TimeoutException
                || t instanceof PulsarClientException.ConnectException
                || t instanceof PulsarClientException.LookupException
                || t instanceof PulsarClientException.TooManyRequestsException
                || t instanceof PulsarClientException.BrokerPersistenceException
                || t instanceof PulsarClientException.ProducerQueueIsFullError
                || t instanceof PulsarClientException.ConsumerBusyException
                || t instanceof TimeoutException
                || t instanceof IOException && !(t instanceof PulsarClientException)
                || PulsarClientException.isRetriableError(t);
        if (t instanceof PulsarClientException.AlreadyClosedException
                || t instanceof PulsarClientException.InvalidMessageException
                || t instanceof PulsarClientException.NotAllowedException
                || t instanceof PulsarClientException.AuthenticationException
                || t instanceof PulsarClientException.AuthorizationException) {
            retriable = false;
        }
        return new StorageException("pulsar " + what + " failed: " + t, retriable, t);
    }

    static WalPosition position(MessageId id) {
        return new WalPosition(id.toByteArray());
    }

    static MessageId messageId(WalPosition p) {
        requireNonNull(p, "position");
        try {
            return MessageId.fromByteArray(p.bytes());
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("not a Pulsar position: " + p, e);
        }
    }

    // ------------------------------------------------------------------ produce

    @Override
    public WalPosition produce(String channel, byte[] payload) {
        requireNonNull(payload, "payload");
        String topic = topic(channel);
        checkOpen();
        Producer<byte[]> p = producer(channel, topic);
        try {
            return position(p.send(payload));
        } catch (PulsarClientException e) {
            if (e instanceof PulsarClientException.AlreadyClosedException || e instanceof PulsarClientException.ProducerFencedException
                    || e instanceof PulsarClientException.TopicTerminatedException) {
                producers.remove(channel, p);
                p.closeAsync();
                if (!closed.get()) {
                    throw new StorageException("pulsar produce to " + topic + " failed (producer reset, retry): " + e, true, e);
                }
            }
            throw failure("produce to " + topic, e);
        }
    }

    private Producer<byte[]> producer(String channel, String topic) {
        Producer<byte[]> p = producers.get(channel);
        if (p != null && p.isConnected()) {
            return p;
        }
        synchronized (producers) {
            p = producers.get(channel);
            if (p != null) {
                return p; // reconnecting on its own: its sends wait (bounded by sendTimeout)
            }
            try {
                p = client.newProducer()
                        .topic(topic)
                        .enableBatching(false) // one entry per message: positions are plain ledger:entry ids
                        .blockIfQueueFull(true)
                        .sendTimeout(30, TimeUnit.SECONDS)
                        .create();
            } catch (PulsarClientException e) {
                throw failure("create producer on " + topic, e);
            }
            producers.put(channel, p);
            knownChannels.add(channel);
            return p;
        }
    }

    // ------------------------------------------------------------------ subscribe

    @Override
    public Consumer subscribe(String channel, String subscription, StartPosition start) {
        String topic = topic(channel);
        checkName("subscription", subscription);
        requireNonNull(start, "start");
        checkOpen();
        org.apache.pulsar.client.api.Consumer<byte[]> c;
        try {
            c = client.newConsumer()
                    .topic(topic)
                    .subscriptionName(subscription)
                    .subscriptionType(SubscriptionType.Exclusive)
                    .subscriptionMode(SubscriptionMode.Durable)
                    // applies only when the subscription is created; after/at seek right below
                    .subscriptionInitialPosition(start instanceof StartPosition.Latest
                            ? SubscriptionInitialPosition.Latest : SubscriptionInitialPosition.Earliest)
                    .receiverQueueSize(256)
                    .startMessageIdInclusive() // seek(id) delivers id itself next: "at"; "after" drops it
                    .isAckReceiptEnabled(true)
                    .acknowledgmentGroupTime(0, TimeUnit.MILLISECONDS)
                    .subscribe();
        } catch (PulsarClientException e) {
            throw failure("subscribe " + subscription + " to " + topic, e);
        }
        knownChannels.add(channel);
        PulsarConsumer pc = new PulsarConsumer(channel, subscription, c);
        consumers.add(pc);
        if (start instanceof StartPosition.After || start instanceof StartPosition.At) {
            try {
                pc.seek(start);
            } catch (RuntimeException e) {
                pc.close();
                throw e;
            }
        }
        return pc;
    }

    @Override
    public void deleteSubscription(String channel, String subscription) {
        String topic = topic(channel);
        checkName("subscription", subscription);
        checkOpen();
        for (PulsarConsumer pc : List.copyOf(consumers)) {
            if (pc.channel.equals(channel) && pc.subscription.equals(subscription)) {
                pc.close(); // an exclusive subscription cannot be removed while our consumer holds it
            }
        }
        try {
            org.apache.pulsar.client.api.Consumer<byte[]> c = client.newConsumer()
                    .topic(topic)
                    .subscriptionName(subscription)
                    .subscriptionType(SubscriptionType.Exclusive)
                    .subscriptionInitialPosition(SubscriptionInitialPosition.Latest)
                    .receiverQueueSize(1)
                    .subscribe();
            c.unsubscribe();
        } catch (PulsarClientException e) {
            throw failure("delete subscription " + subscription + " of " + topic, e);
        }
    }

    @Override
    public int compare(WalPosition a, WalPosition b) {
        return messageId(a).compareTo(messageId(b));
    }

    @Override
    public List<String> channels() {
        checkOpen();
        String head = "persistent://" + namespace + "/" + topicPrefix;
        Set<String> out = new TreeSet<>(knownChannels);
        try {
            List<String> topics = ((PulsarClientImpl) client).getLookup()
                    .getTopicsUnderNamespace(NamespaceName.get(namespace), CommandGetTopicsOfNamespace.Mode.PERSISTENT, null, null)
                    .get(operationTimeoutMillis, TimeUnit.MILLISECONDS)
                    .getTopics();
            for (String t : topics) {
                if (t.startsWith(head)) {
                    String ch = t.substring(head.length());
                    if (NAME.matcher(ch).matches()) {
                        out.add(ch);
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException("interrupted listing pulsar topics", true, e);
        } catch (ExecutionException | TimeoutException e) {
            throw failure("list topics of " + namespace, e);
        }
        return List.copyOf(out);
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (PulsarConsumer pc : List.copyOf(consumers)) {
            pc.close();
        }
        for (Producer<byte[]> p : producers.values()) {
            try {
                p.close();
            } catch (PulsarClientException e) {
                log.debug("event=pulsar_producer_close_failed topic={}", p.getTopic(), e);
            }
        }
        producers.clear();
        try {
            client.closeAsync().get(operationTimeoutMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            log.warn("event=pulsar_client_close_failed error=\"{}\"", e.toString());
        }
    }

    // ------------------------------------------------------------------ consumer

    private final class PulsarConsumer implements Consumer {
        final String channel;
        final String subscription;
        final org.apache.pulsar.client.api.Consumer<byte[]> consumer;
        final AtomicBoolean done = new AtomicBoolean();
        /** After a seek to a position: messages before it (or up to it, for "after") are dropped. */
        MessageId floor;
        boolean floorInclusive;

        PulsarConsumer(String channel, String subscription, org.apache.pulsar.client.api.Consumer<byte[]> consumer) {
            this.channel = channel;
            this.subscription = subscription;
            this.consumer = consumer;
        }

        private void checkUsable() {
            if (done.get()) {
                throw new StorageException("consumer " + subscription + " of " + channel + " is closed", false);
            }
        }

        /** Converts, or null if the seek floor drops it. */
        private WalMessage accept(Message<byte[]> m) {
            MessageId f = floor;
            if (f != null) {
                int cmp = m.getMessageId().compareTo(f);
                if (cmp < 0 || (cmp == 0 && !floorInclusive)) {
                    return null;
                }
                floor = null; // reached: the broker delivers in order from here
            }
            return new WalMessage(channel, position(m.getMessageId()), m.getValue());
        }

        @Override
        public synchronized WalMessage poll(Duration timeout) {
            checkUsable();
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                long left = Math.max(0, deadline - System.nanoTime());
                Message<byte[]> m;
                try {
                    m = consumer.receive((int) Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toMillis(left)), TimeUnit.MILLISECONDS);
                } catch (PulsarClientException e) {
                    throw failure("receive from " + channel, e);
                }
                if (m == null) {
                    return null;
                }
                WalMessage w = accept(m);
                if (w != null) {
                    return w;
                }
                if (System.nanoTime() >= deadline) {
                    return null;
                }
            }
        }

        @Override
        public synchronized List<WalMessage> pollBatch(int max, Duration timeout) {
            if (max < 1) {
                throw new IllegalArgumentException("max must be >= 1");
            }
            WalMessage first = poll(timeout);
            if (first == null) {
                return List.of();
            }
            List<WalMessage> out = new ArrayList<>(Math.min(max, 256));
            out.add(first);
            while (out.size() < max) {
                Message<byte[]> m;
                try {
                    m = consumer.receive(0, TimeUnit.MILLISECONDS); // only what is already buffered
                } catch (PulsarClientException e) {
                    throw failure("receive from " + channel, e);
                }
                if (m == null) {
                    break;
                }
                WalMessage w = accept(m);
                if (w != null) {
                    out.add(w);
                }
            }
            return out;
        }

        @Override
        public Optional<WalPosition> lastPosition() {
            checkUsable();
            List<TopicMessageId> ids;
            try {
                ids = consumer.getLastMessageIds(); // a broker round trip; thread-safe beside receive
            } catch (PulsarClientException e) {
                throw failure("last message id of " + channel, e);
            }
            if (ids.isEmpty() || (ids.get(0) instanceof MessageIdAdv a && a.getEntryId() < 0)) {
                return Optional.empty(); // the topic holds no message
            }
            return Optional.of(position(ids.get(0)));
        }

        @Override
        public synchronized void seek(StartPosition start) {
            requireNonNull(start, "start");
            checkUsable();
            MessageId target;
            MessageId newFloor = null;
            boolean inclusive = true;
            switch (start) {
                case StartPosition.Earliest e -> target = MessageId.earliest;
                case StartPosition.Latest l -> target = MessageId.latest;
                case StartPosition.At a -> {
                    target = messageId(a.position());
                    newFloor = target;
                }
                case StartPosition.After a -> {
                    target = messageId(a.position());
                    newFloor = target;
                    inclusive = false;
                }
            }
            try {
                consumer.seek(target);
            } catch (PulsarClientException e) {
                throw failure("seek " + subscription + " of " + channel, e);
            }
            floor = newFloor;
            floorInclusive = inclusive;
        }

        @Override
        public void acknowledge(WalPosition position) {
            checkUsable();
            MessageId id = messageId(position);
            try {
                consumer.acknowledgeCumulative(id);
            } catch (PulsarClientException e) {
                throw failure("acknowledge " + subscription + " of " + channel, e);
            }
        }

        @Override
        public void close() {
            if (done.compareAndSet(false, true)) {
                consumers.remove(this);
                try {
                    consumer.close();
                } catch (PulsarClientException e) {
                    log.debug("event=pulsar_consumer_close_failed channel={} subscription={}", channel, subscription, e);
                }
            }
        }
    }
}
