package io.stateguard.gateway;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Serves the {@link InstanceController} endpoints over HTTP/1.1 on 127.0.0.1 with the JDK's built-in server:
 *
 * <pre>
 *   GET    /instance/connectionState/{instanceName}
 *   GET    /instance/connect/{instanceName}
 *   DELETE /instance/logout/{instanceName}
 * </pre>
 */
final class GatewayHttpServer implements AutoCloseable {

    private static final int WORKERS = 8;
    private static final String NODELAY_PROPERTY = "sun.net.httpserver.nodelay";

    private final HttpServer server;
    private final ExecutorService workers;
    private final InstanceController controller;

    private GatewayHttpServer(HttpServer server, ExecutorService workers, InstanceController controller) {
        this.server = server;
        this.workers = workers;
        this.controller = controller;
    }

    /** Binds {@code port} (0: any free port) on 127.0.0.1 and starts serving. */
    static GatewayHttpServer start(int port, InstanceController controller) {
        disableNagle();
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 128);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot listen on 127.0.0.1:" + port, e);
        }
        ExecutorService workers = Executors.newFixedThreadPool(WORKERS, runnable -> {
            Thread thread = new Thread(runnable, "gateway-http");
            thread.setDaemon(true);
            return thread;
        });
        GatewayHttpServer gateway = new GatewayHttpServer(server, workers, controller);
        server.createContext("/instance/", gateway::handle);
        server.setExecutor(workers);
        server.start();
        return gateway;
    }

    /**
     * The JDK server writes headers and body separately; with Nagle's algorithm on, the body then waits for
     * the client's delayed ACK (about 40 ms on Linux) on every keep-alive response. Must be set before the
     * first server is created, as the JDK reads it once.
     */
    static void disableNagle() {
        if (System.getProperty(NODELAY_PROPERTY) == null) {
            System.setProperty(NODELAY_PROPERTY, "true");
        }
    }

    /** @return the bound port */
    int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        ApiResponse response;
        try {
            exchange.getRequestBody().readAllBytes(); // drain, so the connection can be kept alive
            response = route(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath());
        } catch (RuntimeException e) {
            // Redis down or a corrupt value: a 500 in Evolution's error format rather than a dropped connection.
            response = ApiResponse.error(500, "Internal Server Error", e.toString());
        }
        send(exchange, response);
    }

    private ApiResponse route(String method, String rawPath) {
        String[] segments = rawPath.split("/");
        // "", "instance", action, name
        if (segments.length != 4 || segments[3].isEmpty()) {
            return ApiResponse.error(404, "Not Found", "Cannot " + method + " " + rawPath);
        }
        String action = segments[2];
        String name = URLDecoder.decode(segments[3], StandardCharsets.UTF_8);
        switch (action) {
            case "connectionState":
                return method.equals("GET") ? controller.connectionState(name) : notAllowed(method, rawPath);
            case "connect":
                return method.equals("GET") ? controller.connect(name) : notAllowed(method, rawPath);
            case "logout":
                return method.equals("DELETE") ? controller.logout(name) : notAllowed(method, rawPath);
            default:
                return ApiResponse.error(404, "Not Found", "Cannot " + method + " " + rawPath);
        }
    }

    private static ApiResponse notAllowed(String method, String rawPath) {
        return ApiResponse.error(405, "Method Not Allowed", "Cannot " + method + " " + rawPath);
    }

    private static void send(HttpExchange exchange, ApiResponse response) throws IOException {
        byte[] body = response.body().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        for (Map.Entry<String, String> header : response.headers().entrySet()) {
            exchange.getResponseHeaders().set(header.getKey(), header.getValue());
        }
        exchange.sendResponseHeaders(response.status(), body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    /** Stops accepting requests and stops the worker threads; requests still running are cut off. */
    @Override
    public void close() {
        // No grace period: JDK 17's HttpServer.stop(n) waits the full n seconds even when no request is
        // running, and a status poll cut off at shutdown is simply retried by its client.
        server.stop(0);
        workers.shutdown();
        try {
            workers.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
