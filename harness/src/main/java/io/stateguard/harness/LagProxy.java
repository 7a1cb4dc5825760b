package io.stateguard.harness;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An in-process TCP proxy from 127.0.0.1:{@link #port()} to a target, which can delay or hold back the bytes
 * flowing <em>from the target to the client</em>. Placed between a replica (client) and its primary (target),
 * it makes the replica lag behind deterministically: the replication stream is what flows target&rarr;client,
 * while the replica's own commands and {@code REPLCONF ACK}s (client&rarr;target) pass immediately.
 *
 * <ul>
 *   <li>{@link #setDelayMillis(long)}: every chunk read from the target is forwarded no earlier than
 *       {@code delay} ms after it was read. Order is always kept (a FIFO queue per connection); changing the
 *       delay applies to chunks still queued.</li>
 *   <li>{@link #pause()}: holds every target&rarr;client byte in memory (connections stay open) until
 *       {@link #resume()}. Keep pauses shorter than the replica's {@code repl-timeout} (60 s by default), or
 *       Redis itself drops the link.</li>
 * </ul>
 *
 * <p>Buffers are unbounded: fine for test traffic, not for bulk loads while paused. Each connection uses three
 * daemon threads that block (never spin); {@link #close()} closes every socket, which ends them.
 */
public final class LagProxy implements AutoCloseable {

    private static final int CHUNK_SIZE = 16 * 1024;
    private static final int CONNECT_TIMEOUT_MILLIS = 5_000;

    private final String targetHost;
    private final int targetPort;
    private final ServerSocket server;
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final AtomicInteger connectionIds = new AtomicInteger();
    private final Thread acceptor;

    // One lock for the shared settings and all queues: forwarders wait on `changed` for data, resume, a shorter
    // delay or close. Contention is irrelevant at test traffic volumes.
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private long delayNanos; // guarded by lock
    private boolean paused; // guarded by lock
    private boolean closed; // guarded by lock
    private long pendingBytes; // guarded by lock

    private LagProxy(String targetHost, int targetPort, ServerSocket server) {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.server = server;
        this.acceptor = daemon(this::acceptLoop, "lag-proxy-" + server.getLocalPort() + "-accept");
    }

    /**
     * Starts a proxy listening on a free 127.0.0.1 port (chosen by the OS: the proxy binds it immediately,
     * so there is no race) and forwarding to {@code targetHost:targetPort}. Initially no delay, not paused.
     */
    public static LagProxy start(String targetHost, int targetPort) {
        Objects.requireNonNull(targetHost, "targetHost");
        ServerSocket server;
        try {
            server = new ServerSocket();
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot open a listening socket for a proxy to " + targetHost + ":" + targetPort, e);
        }
        LagProxy proxy = new LagProxy(targetHost, targetPort, server);
        proxy.acceptor.start();
        return proxy;
    }

    /** Starts a proxy to {@code target}; see {@link #start(String, int)}. */
    public static LagProxy start(RedisNode target) {
        return start(target.host(), target.port());
    }

    /** @return 127.0.0.1 */
    public String host() {
        return server.getInetAddress().getHostAddress();
    }

    /** @return the port clients connect to */
    public int port() {
        return server.getLocalPort();
    }

    /** @return {@code host:port} of the target */
    public String target() {
        return targetHost + ":" + targetPort;
    }

    /**
     * Delays target&rarr;client bytes by {@code millis} ms from the moment the proxy read them; 0 disables.
     */
    public void setDelayMillis(long millis) {
        if (millis < 0) {
            throw new IllegalArgumentException("Negative delay: " + millis);
        }
        lock.lock();
        try {
            delayNanos = TimeUnit.MILLISECONDS.toNanos(millis);
            changed.signalAll(); // a shorter delay may make queued chunks due now
        } finally {
            lock.unlock();
        }
    }

    /** @return the current delay in ms */
    public long delayMillis() {
        lock.lock();
        try {
            return TimeUnit.NANOSECONDS.toMillis(delayNanos);
        } finally {
            lock.unlock();
        }
    }

    /** Holds all target&rarr;client bytes (including already queued ones) until {@link #resume()}. */
    public void pause() {
        lock.lock();
        try {
            paused = true;
        } finally {
            lock.unlock();
        }
    }

    /** Releases held bytes, in order, subject to the delay. */
    public void resume() {
        lock.lock();
        try {
            paused = false;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** @return whether target&rarr;client traffic is held */
    public boolean isPaused() {
        lock.lock();
        try {
            return paused;
        } finally {
            lock.unlock();
        }
    }

    /**
     * @return bytes read from the target and not yet written to the client, over all connections. A test can
     *         poll it to know that a write on the primary has reached the proxy and is being held.
     */
    public long pendingBytes() {
        lock.lock();
        try {
            return pendingBytes;
        } finally {
            lock.unlock();
        }
    }

    /** @return number of currently open client connections */
    public int connectionCount() {
        return connections.size();
    }

    /** Stops listening and closes all connections; queued bytes are dropped. Idempotent. */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        closeQuietly(server);
        // The listening socket is only really gone once the thread blocked in accept() has left it; until then
        // the kernel may still complete handshakes. Waiting makes "closed" mean "refuses connections".
        try {
            acceptor.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Connection connection : connections) {
            connection.close();
        }
    }

    @Override
    public String toString() {
        return "LagProxy[" + host() + ":" + port() + " -> " + target() + "]";
    }

    private void acceptLoop() {
        while (true) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return; // server socket closed
            }
            Socket upstream = new Socket();
            try {
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
                upstream.connect(new InetSocketAddress(targetHost, targetPort), CONNECT_TIMEOUT_MILLIS);
            } catch (IOException e) {
                // Target unreachable: refuse the client the way the target itself would.
                closeQuietly(client);
                closeQuietly(upstream);
                continue;
            }
            new Connection(client, upstream, connectionIds.incrementAndGet()).start();
        }
    }

    private static Thread daemon(Runnable task, String name) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        return thread;
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception ignored) {
            // Best effort: the connection is being torn down anyway.
        }
    }

    /** A chunk of target&rarr;client bytes; {@code data == null} marks the target's end of stream. */
    private static final class Chunk {
        final byte[] data;
        final long readAtNanos;

        Chunk(byte[] data, long readAtNanos) {
            this.data = data;
            this.readAtNanos = readAtNanos;
        }
    }

    private final class Connection {
        private final Socket client;
        private final Socket upstream;
        private final String threadPrefix;
        private final ArrayDeque<Chunk> queue = new ArrayDeque<>(); // guarded by lock
        private boolean done; // guarded by lock

        Connection(Socket client, Socket upstream, int id) {
            this.client = client;
            this.upstream = upstream;
            this.threadPrefix = "lag-proxy-" + port() + "-conn-" + id;
        }

        void start() {
            connections.add(this);
            lock.lock();
            try {
                if (closed) { // close() ran between accept and here
                    done = true;
                }
            } finally {
                lock.unlock();
            }
            if (isDone()) {
                close();
                return;
            }
            daemon(this::clientToTarget, threadPrefix + "-up").start();
            daemon(this::readFromTarget, threadPrefix + "-down-read").start();
            daemon(this::writeToClient, threadPrefix + "-down-write").start();
        }

        /** Client&rarr;target: forwarded immediately. */
        private void clientToTarget() {
            byte[] buffer = new byte[CHUNK_SIZE];
            try {
                InputStream in = client.getInputStream();
                OutputStream out = upstream.getOutputStream();
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // Either side closed or reset; handled below.
            }
            close(); // the client is gone: nothing queued for it matters any more
        }

        /** Target&rarr;client, part 1: timestamps and queues what the target sends. */
        private void readFromTarget() {
            byte[] buffer = new byte[CHUNK_SIZE];
            try {
                InputStream in = upstream.getInputStream();
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    enqueue(new Chunk(Arrays.copyOf(buffer, n), System.nanoTime()));
                }
            } catch (IOException e) {
                // Treated like end of stream: the client sees the disconnect after the bytes queued before it.
            }
            enqueue(new Chunk(null, System.nanoTime()));
        }

        private void enqueue(Chunk chunk) {
            lock.lock();
            try {
                if (done) {
                    return; // connection torn down: keep pendingBytes at zero
                }
                queue.add(chunk);
                if (chunk.data != null) {
                    pendingBytes += chunk.data.length;
                }
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        /** Target&rarr;client, part 2: releases queued chunks in order once due and not paused. */
        private void writeToClient() {
            try {
                OutputStream out = client.getOutputStream();
                while (true) {
                    Chunk chunk = takeDueChunk();
                    if (chunk == null || chunk.data == null) {
                        break; // closed, or the target ended the stream
                    }
                    out.write(chunk.data);
                    out.flush();
                }
            } catch (IOException | InterruptedException e) {
                // Client gone or proxy closing.
            }
            close();
        }

        private Chunk takeDueChunk() throws InterruptedException {
            lock.lock();
            try {
                while (true) {
                    if (closed || done) {
                        return null;
                    }
                    Chunk head = queue.peek();
                    if (head == null || paused) {
                        changed.await();
                        continue;
                    }
                    long wait = head.readAtNanos + delayNanos - System.nanoTime();
                    if (wait > 0) {
                        changed.awaitNanos(wait);
                        continue;
                    }
                    queue.poll();
                    if (head.data != null) {
                        pendingBytes -= head.data.length;
                    }
                    return head;
                }
            } finally {
                lock.unlock();
            }
        }

        private boolean isDone() {
            lock.lock();
            try {
                return done;
            } finally {
                lock.unlock();
            }
        }

        void close() {
            lock.lock();
            try {
                done = true;
                for (Chunk chunk : queue) {
                    if (chunk.data != null) {
                        pendingBytes -= chunk.data.length;
                    }
                }
                queue.clear();
                changed.signalAll();
            } finally {
                lock.unlock();
            }
            closeQuietly(client);
            closeQuietly(upstream);
            connections.remove(this);
        }
    }
}
