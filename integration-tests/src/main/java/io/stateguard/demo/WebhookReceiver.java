package io.stateguard.demo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.stateguard.gateway.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The client application's webhook endpoint ({@code WEBHOOK_GLOBAL_URL} of the gateway): every
 * {@code connection.update} event it receives becomes knowledge in {@link KnownStates}, as a real client
 * updates its view of an instance when the gateway announces a new state.
 */
public final class WebhookReceiver implements AutoCloseable {

    private static final String PATH = "/webhook";

    private final HttpServer server;
    private final ExecutorService executor;
    private final KnownStates known;
    private final AtomicInteger events = new AtomicInteger();
    private final AtomicInteger rejected = new AtomicInteger();

    private WebhookReceiver(HttpServer server, ExecutorService executor, KnownStates known) {
        this.server = server;
        this.executor = executor;
        this.known = known;
    }

    /** Listens on a free 127.0.0.1 port. */
    public static WebhookReceiver start(KnownStates known) {
        // As in the gateway's server: without TCP_NODELAY each answer waits ~40 ms for a delayed ACK.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot open the webhook endpoint", e);
        }
        ExecutorService executor = Executors.newFixedThreadPool(2, runnable -> {
            Thread thread = new Thread(runnable, "webhook-receiver");
            thread.setDaemon(true);
            return thread;
        });
        WebhookReceiver receiver = new WebhookReceiver(server, executor, known);
        server.createContext(PATH, receiver::handle);
        server.setExecutor(executor);
        server.start();
        return receiver;
    }

    /** @return the URL to configure as the gateway's {@code WEBHOOK_GLOBAL_URL} */
    public URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + PATH);
    }

    /** @return {@code connection.update} events received */
    public int events() {
        return events.get();
    }

    /** @return requests that were not a readable {@code connection.update} event */
    public int rejected() {
        return rejected.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        int status = 200;
        try {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Object event = Json.parse(body);
            if ("connection.update".equals(Json.at(event, "event"))) {
                String instance = (String) Json.at(event, "instance");
                String state = (String) Json.at(event, "data", "state");
                long version = (Long) Json.at(event, "data", "version");
                known.learn(instance, version, "open".equals(state));
                events.incrementAndGet();
            }
        } catch (RuntimeException e) {
            rejected.incrementAndGet();
            status = 400;
        }
        exchange.sendResponseHeaders(status, -1); // no body
        exchange.close();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
