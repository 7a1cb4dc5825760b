package io.stateguard.gateway;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A small WhatsApp API gateway modelled on Evolution API, for demonstrating and testing StateGuard: instance
 * connection state and Baileys auth state live in Redis, written to the primary and read through Lettuce with
 * a configurable {@code ReadFrom} (default {@code REPLICA_PREFERRED}). See {@link GatewayConfig} for the
 * environment variables, {@link ConnectionLoop} for the simulated connections and {@link InstanceController}
 * for the API.
 *
 * <p>Run it as any Java application, with or without the agent:
 *
 * <pre>
 *   CACHE_REDIS_URI=redis://127.0.0.1:6379,redis://127.0.0.1:6380 SERVER_PORT=0 \
 *   java -javaagent:agent/target/stateguard-agent.jar=keys=evolution:state:*;rule.creds.keys=evolution:instance:* \
 *        -cp ... io.stateguard.gateway.ReferenceGateway
 * </pre>
 *
 * Standard output carries machine-readable lines: {@code gateway.port=<port>} once listening,
 * {@code gateway.ready} once serving, {@code gateway.stopped} after a clean shutdown (SIGTERM). Diagnostics
 * go to standard error with the prefix {@code [gateway]}. Exit status 2 means invalid configuration.
 */
public final class ReferenceGateway implements AutoCloseable {

    private final GatewayRedis redis;
    private final WebhookNotifier webhooks;
    private final ScheduledExecutorService scheduler;
    private final GatewayHttpServer http;
    private final AtomicBoolean closed = new AtomicBoolean();

    private ReferenceGateway(GatewayRedis redis, WebhookNotifier webhooks, ScheduledExecutorService scheduler,
            GatewayHttpServer http) {
        this.redis = redis;
        this.webhooks = webhooks;
        this.scheduler = scheduler;
        this.http = http;
    }

    /**
     * Connects to Redis, starts every instance's connection loop and the HTTP server.
     *
     * @throws RuntimeException if Redis cannot be reached or the port cannot be bound (nothing is left running)
     */
    public static ReferenceGateway start(GatewayConfig config) {
        GatewayRedis redis = GatewayRedis.connect(config.redis(), config.readFrom());
        WebhookNotifier webhooks = WebhookNotifier.to(config.webhookUrl());
        ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(2, runnable -> {
            Thread thread = Executors.defaultThreadFactory().newThread(runnable);
            thread.setName("gateway-connections");
            thread.setDaemon(true);
            return thread;
        });
        scheduler.setRemoveOnCancelPolicy(true);
        try {
            StateStore store = new StateStore(redis.commands(), config.keys());
            Map<String, ConnectionLoop> loops = new LinkedHashMap<>();
            int index = 1;
            for (String name : GatewayKeys.instanceNames(config.instances())) {
                loops.put(name, new ConnectionLoop(name, index++, store, webhooks, scheduler, config));
            }
            for (ConnectionLoop loop : loops.values()) {
                loop.start();
            }
            GatewayHttpServer http = GatewayHttpServer.start(config.port(), new InstanceController(store, loops));
            return new ReferenceGateway(redis, webhooks, scheduler, http);
        } catch (RuntimeException e) {
            scheduler.shutdownNow();
            webhooks.close();
            redis.close();
            throw e;
        }
    }

    /** @return the HTTP port */
    public int port() {
        return http.port();
    }

    /** Stops serving, stops the connection loops, closes Redis. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        http.close();
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        webhooks.close();
        redis.close();
    }

    /** Starts the gateway from the environment; stops it on SIGTERM/SIGINT. */
    public static void main(String[] args) {
        GatewayConfig config;
        try {
            config = GatewayConfig.fromEnvironment(System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("[gateway] ERROR invalid configuration: " + e.getMessage());
            System.exit(2);
            return;
        }
        System.err.println("[gateway] INFO Redis " + config.redis().kind() + " " + config.redis().uris()
                + ", readFrom=" + config.readFromName() + ", " + config.instances() + " instances, reconnect every "
                + config.reconnectInterval().toMillis() + " ms");
        ReferenceGateway gateway = start(config);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            gateway.close();
            System.out.println("gateway.stopped");
            System.out.flush();
        }, "gateway-shutdown"));
        System.out.println("gateway.port=" + gateway.port());
        System.out.println("gateway.ready");
        System.out.flush();
        // The HTTP server's dispatcher thread keeps the JVM alive until a signal runs the shutdown hook.
    }
}
