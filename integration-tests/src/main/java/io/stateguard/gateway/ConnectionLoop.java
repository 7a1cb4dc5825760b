package io.stateguard.gateway;

import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The simulated WhatsApp connection of one instance: what Baileys and Evolution API's connection handler do,
 * compressed in time, with every step written to Redis the way the real gateway writes it.
 *
 * <pre>
 *   start:      close -> connecting -> (creds paired?) -> open
 *                                      (not paired)   -> QR code, phone scans, creds written -> open
 *   reconnect:  open -> connecting -> creds re-read (through ReadFrom, like Baileys' auth store) -> open
 *   unlink:     open -> close (auth hash deleted) -> connecting -> QR pairing -> open
 *   logout:     any -> close (auth hash deleted); stays closed until {@code GET /instance/connect}
 * </pre>
 *
 * Each transition writes {@code <prefix>:state:<name>} with the version incremented by one, then sends the
 * {@code connection.update} webhook. While paired, the loop also writes pre-keys, sessions and creds updates
 * into the auth hash at {@code GATEWAY_KEY_WRITES_PER_SECOND}, the steady write load of a busy instance.
 *
 * <p>All steps of one instance are serialized by this object's monitor, so versions grow strictly on the
 * primary and the API's logout never interleaves with a step. Steps are scheduled on a shared executor; a
 * step scheduled before a logout/unlink/reconnect is recognized as obsolete by its {@code generation}.
 */
final class ConnectionLoop {

    /** Every n-th key write is a creds update ({@code creds.update}); the others are Signal keys. */
    private static final int CREDS_UPDATE_EVERY = 10;
    private static final int PRE_KEY_POOL = 200;
    private static final int SESSION_POOL = 50;
    private static final Duration RETRY_DELAY = Duration.ofSeconds(1);

    private final String name;
    private final String jid;
    private final StateStore store;
    private final WebhookNotifier webhooks;
    private final ScheduledExecutorService scheduler;
    private final GatewayConfig config;

    // All guarded by this.
    private InstanceState current;
    private Creds creds;
    private long generation;
    private int reconnects;
    private long keyWrites;

    ConnectionLoop(String name, int index, StateStore store, WebhookNotifier webhooks,
            ScheduledExecutorService scheduler, GatewayConfig config) {
        this.name = name;
        this.jid = String.format("55119%08d@s.whatsapp.net", index);
        this.store = store;
        this.webhooks = webhooks;
        this.scheduler = scheduler;
        this.config = config;
    }

    /** @return the instance name */
    String name() {
        return name;
    }

    /**
     * Writes {@code close} (continuing the stored version, if any) and starts connecting, as Evolution API does
     * for every instance it loads at start-up. Also starts the key writer.
     */
    synchronized void start() {
        long storedVersion = store.readState(name).map(InstanceState::version).orElse(0L);
        current = new InstanceState(ConnectionState.CLOSE, storedVersion, System.currentTimeMillis());
        transition(ConnectionState.CLOSE);
        connect();
        if (config.keyWritesPerSecond() > 0) {
            long period = Math.max(1, 1_000_000 / config.keyWritesPerSecond());
            long firstDelay = ThreadLocalRandom.current().nextLong(period); // spread instances over the period
            scheduler.scheduleAtFixedRate(this::writeKeysSafely, firstDelay, period, TimeUnit.MICROSECONDS);
        }
    }

    /** Reacts to {@code GET /instance/connect} on a closed instance: starts connecting, unless it already is. */
    synchronized void connectRequested() {
        if (current != null && current.state() == ConnectionState.CLOSE) {
            connect();
        }
    }

    /**
     * {@code DELETE /instance/logout}: deletes the auth state and writes {@code close}.
     *
     * @return {@code false} if the instance was not connected or connecting (nothing to log out)
     */
    synchronized boolean logout() {
        if (current == null || current.state() == ConnectionState.CLOSE) {
            return false;
        }
        generation++; // cancels the pending steps
        creds = null;
        store.deleteAuthState(name);
        transition(ConnectionState.CLOSE);
        return true;
    }

    /**
     * Starts a connection: {@code connecting}, then reads the creds from Redis. Baileys' Redis auth store
     * reads them on every connect ({@code readData('creds') || initAuthCreds()}); creds that are missing or
     * unpaired mean a QR pairing, and fresh creds are saved at once, as Baileys does.
     */
    private void connect() {
        long step = ++generation;
        transition(ConnectionState.CONNECTING);
        String stored = store.readCreds(name);
        if (Creds.isPaired(stored)) {
            if (creds == null || !creds.isPaired()) {
                // Paired by an earlier run of the gateway: this simulation only needs to know the account.
                creds = (creds == null ? Creds.fresh() : creds).paired(jid);
            }
            schedule(config.connectTime(), step, this::opened);
            return;
        }
        if (stored == null) {
            creds = Creds.fresh();
            store.writeCreds(name, creds);
        } else if (creds == null || creds.isPaired()) {
            creds = Creds.fresh(); // unpaired creds of an earlier attempt: Baileys continues with them
        }
        schedule(config.pairingTime(), step, this::qrScanned);
    }

    /** The phone scanned the QR code: Baileys saves the paired creds, then the connection opens. */
    private void qrScanned() {
        creds = creds.paired(jid);
        store.writeCreds(name, creds);
        opened();
    }

    private void opened() {
        transition(ConnectionState.OPEN);
        if (!config.reconnectInterval().isZero()) {
            long jitter = config.reconnectJitter().toMillis();
            long delay = config.reconnectInterval().toMillis()
                    + (jitter > 0 ? ThreadLocalRandom.current().nextLong(jitter + 1) : 0);
            schedule(Duration.ofMillis(delay), generation, this::dropped);
        }
    }

    /** WhatsApp closed the socket (stream error, restart required...): reconnect, or every n-th time, unlink. */
    private void dropped() {
        reconnects++;
        if (config.unlinkEvery() > 0 && reconnects % config.unlinkEvery() == 0) {
            unlinked();
        } else {
            connect();
        }
    }

    /** The user removed the linked device on the phone: logged out, then (in this simulation) paired again. */
    private void unlinked() {
        long step = ++generation;
        creds = null;
        store.deleteAuthState(name);
        transition(ConnectionState.CLOSE);
        schedule(config.connectTime(), step, this::connect);
    }

    private void transition(ConnectionState next) {
        current = current.next(next);
        store.writeState(name, current);
        // Only after the write returned: a receiver that reads the state after the event must find it.
        webhooks.connectionUpdate(name, current);
    }

    private void writeKeysSafely() {
        try {
            writeKeys();
        } catch (RuntimeException e) {
            log("key write failed: " + e);
        }
    }

    private synchronized void writeKeys() {
        if (creds == null || !creds.isPaired() || current.state() == ConnectionState.CLOSE) {
            return;
        }
        long n = keyWrites++;
        if (n % CREDS_UPDATE_EVERY == CREDS_UPDATE_EVERY - 1) {
            creds = creds.withPreKeysGenerated(1);
            store.writeCreds(name, creds);
        } else if (n % 2 == 0) {
            store.writeSignalKey(name, "pre-key-" + (n / 2 % PRE_KEY_POOL), randomRecord(64));
        } else {
            String contact = String.format("55119%08d.0", n / 2 % SESSION_POOL);
            store.writeSignalKey(name, "session-" + contact, randomRecord(256));
        }
    }

    /**
     * Runs {@code action} after {@code delay} unless a newer step superseded {@code step} by then. A failure
     * (Redis unreachable...) is logged and the instance reconnects later, as Baileys does after errors.
     */
    private void schedule(Duration delay, long step, Runnable action) {
        try {
            scheduler.schedule(() -> {
                synchronized (this) {
                    if (step != generation) {
                        return;
                    }
                    try {
                        action.run();
                    } catch (RuntimeException e) {
                        log("step failed, reconnecting in " + RETRY_DELAY.toMillis() + " ms: " + e);
                        schedule(RETRY_DELAY, generation, this::connect);
                    }
                }
            }, delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException shuttingDown) {
            // The gateway is stopping: no more steps.
        }
    }

    private void log(String message) {
        if (!scheduler.isShutdown()) {
            System.err.println("[gateway] WARN " + name + ": " + message);
        }
    }

    private static String randomRecord(int bytes) {
        byte[] record = new byte[bytes];
        ThreadLocalRandom.current().nextBytes(record);
        return Base64.getEncoder().encodeToString(record);
    }
}
