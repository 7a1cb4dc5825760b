package io.stateguard.gateway;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Sends Evolution API's {@code connection.update} webhook to {@code WEBHOOK_GLOBAL_URL} after each state
 * transition has been written to Redis:
 *
 * <pre>{@code
 * {"event":"connection.update","instance":"instance-1",
 *  "data":{"instance":"instance-1","state":"open","statusReason":200,"version":7,"updatedAt":1700000000000},
 *  "date_time":"2024-01-01T00:00:00Z"}
 * }</pre>
 *
 * <p>Applications learn about connections from these events and then query the API; an answer older than
 * the event they just received is the flapping users report. Delivery is asynchronous and best effort (a
 * failed delivery is logged once), as in the real gateway. {@code version} is the reference gateway's
 * addition, so that a receiver can order events and answers exactly.
 */
final class WebhookNotifier implements AutoCloseable {

    private final URI url;
    private final ExecutorService executor;
    private final HttpClient client;
    private final AtomicBoolean failureLogged = new AtomicBoolean();
    private volatile boolean closed;

    private WebhookNotifier(URI url) {
        this.url = url;
        this.executor = url == null ? null : Executors.newFixedThreadPool(2, runnable -> {
            Thread thread = new Thread(runnable, "gateway-webhook");
            thread.setDaemon(true);
            return thread;
        });
        this.client = url == null ? null : HttpClient.newBuilder().executor(executor)
                .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
    }

    /** @param url {@code null} for a notifier that sends nothing */
    static WebhookNotifier to(URI url) {
        return new WebhookNotifier(url);
    }

    /** Sends {@code connection.update} for {@code state}; returns at once. */
    void connectionUpdate(String instanceName, InstanceState state) {
        if (url == null) {
            return;
        }
        String body = Json.write(Json.object(
                "event", "connection.update",
                "instance", instanceName,
                "data", Json.object(
                        "instance", instanceName,
                        "state", state.state().wireName(),
                        "statusReason", 200,
                        "version", state.version(),
                        "updatedAt", state.updatedAt()),
                "date_time", Instant.ofEpochMilli(state.updatedAt()).toString()));
        HttpRequest request = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(5))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        client.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, failure) -> {
            // A delivery cut off by shutdown is expected, not worth a warning.
            if (failure != null && !closed && failureLogged.compareAndSet(false, true)) {
                System.err.println("[gateway] WARN webhook delivery to " + url + " failed (logged once): " + failure);
            }
        });
    }

    @Override
    public void close() {
        closed = true;
        if (executor != null) {
            executor.shutdown();
            try {
                executor.awaitTermination(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            executor.shutdownNow();
        }
    }
}
