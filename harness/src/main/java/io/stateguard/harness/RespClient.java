package io.stateguard.harness;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * A minimal blocking RESP2 client for administrative commands of the test harness.
 *
 * <p>It exists so that the harness does not depend on Lettuce: the tests that use the harness may run any
 * Lettuce version, and the harness must keep working while Lettuce (or the agent under test) misbehaves.
 *
 * <p>Each command is sent as an array of bulk strings. Arguments may be {@link String} (sent as UTF-8),
 * {@code byte[]} (sent as is) or any other object (sent as its {@code toString()}, handy for numbers).
 * Replies are decoded as follows:
 * <ul>
 *   <li>simple string ({@code +}) &rarr; {@link String}</li>
 *   <li>error ({@code -}) &rarr; {@link RedisError} thrown at top level, returned as an element when nested</li>
 *   <li>integer ({@code :}) &rarr; {@link Long}</li>
 *   <li>bulk string ({@code $}) &rarr; {@link String} (UTF-8), or {@code byte[]} with {@link #callBinary};
 *       {@code null} for the null bulk string</li>
 *   <li>array ({@code *}) &rarr; unmodifiable {@link List} (elements may be {@code null}); {@code null} for
 *       the null array</li>
 * </ul>
 *
 * <p>Calls are serialized ({@code synchronized}); one connection serves one caller at a time. An I/O error
 * or a read timeout leaves the byte stream at an unknown position, so the client closes itself and every
 * later call fails: open a new client to retry. I/O failures are reported as {@link UncheckedIOException}.
 */
public final class RespClient implements AutoCloseable {

    /** Connect and read timeout used when none is given. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private static final byte[] CRLF = {'\r', '\n'};

    private final String host;
    private final int port;
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private volatile boolean open = true;

    /**
     * Connects with {@link #DEFAULT_TIMEOUT}.
     *
     * @throws UncheckedIOException if the connection cannot be established
     */
    public RespClient(String host, int port) {
        this(host, port, DEFAULT_TIMEOUT);
    }

    /**
     * Connects to {@code host:port}.
     *
     * @param timeout used both as connect timeout and as read timeout of every reply
     * @throws UncheckedIOException if the connection cannot be established
     */
    public RespClient(String host, int port, Duration timeout) {
        this.host = Objects.requireNonNull(host, "host");
        this.port = port;
        int millis = Math.toIntExact(Math.max(1, timeout.toMillis()));
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.setSoTimeout(millis);
            s.connect(new InetSocketAddress(host, port), millis);
            this.socket = s;
            this.in = new BufferedInputStream(s.getInputStream(), 16 * 1024);
            this.out = new BufferedOutputStream(s.getOutputStream(), 16 * 1024);
        } catch (IOException e) {
            closeQuietly(s);
            throw new UncheckedIOException("Cannot connect to " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }

    /**
     * Sends one command and returns its decoded reply; bulk strings are decoded as UTF-8 strings.
     *
     * @param args command name and arguments, e.g. {@code call("SET", "k", "v")}
     * @return the decoded reply (see the class description)
     * @throws RedisError if the server replies with an error
     * @throws UncheckedIOException on I/O failure or read timeout (the client is closed afterwards)
     */
    public synchronized Object call(Object... args) {
        return execute(false, args);
    }

    /**
     * Like {@link #call(Object...)}, but bulk strings are returned as {@code byte[]} (for binary values such
     * as {@code DUMP} payloads). Simple strings stay {@link String}.
     */
    public synchronized Object callBinary(Object... args) {
        return execute(true, args);
    }

    /** @return {@code false} once closed, explicitly or because of an I/O failure */
    public boolean isOpen() {
        return open;
    }

    /** @return {@code host:port} this client is connected to */
    public String address() {
        return host + ":" + port;
    }

    /** Closes the connection. Idempotent. */
    @Override
    public void close() {
        open = false;
        closeQuietly(socket);
    }

    @Override
    public String toString() {
        return "RespClient[" + address() + (open ? "" : ", closed") + "]";
    }

    private Object execute(boolean binary, Object[] args) {
        if (args == null || args.length == 0) {
            throw new IllegalArgumentException("A command needs at least a name");
        }
        if (!open) {
            throw new UncheckedIOException(new IOException("Connection to " + address() + " is closed"));
        }
        try {
            write(args);
            Object reply = read(binary);
            if (reply instanceof RedisError) {
                // Fill in this caller's stack trace: the parsed instance was created without a useful one.
                throw new RedisError(((RedisError) reply).getMessage());
            }
            return reply;
        } catch (IOException e) {
            // Unknown stream position from now on: never reuse this connection.
            close();
            throw new UncheckedIOException(describe(args) + " to " + address() + " failed: " + e.getMessage(), e);
        }
    }

    private void write(Object[] args) throws IOException {
        writeHeader('*', args.length);
        for (Object arg : args) {
            byte[] bytes = toBytes(arg);
            writeHeader('$', bytes.length);
            out.write(bytes);
            out.write(CRLF);
        }
        out.flush();
    }

    private void writeHeader(char type, int length) throws IOException {
        out.write(type);
        out.write(Integer.toString(length).getBytes(StandardCharsets.US_ASCII));
        out.write(CRLF);
    }

    private static byte[] toBytes(Object arg) {
        if (arg instanceof byte[]) {
            return (byte[]) arg;
        }
        Objects.requireNonNull(arg, "command arguments must not be null");
        return arg.toString().getBytes(StandardCharsets.UTF_8);
    }

    private Object read(boolean binary) throws IOException {
        int type = in.read();
        if (type < 0) {
            throw new EOFException("Connection closed by server");
        }
        switch (type) {
            case '+':
                return readLine();
            case '-':
                return new RedisError(readLine());
            case ':':
                return parseLong(readLine());
            case '$':
                return readBulk(binary);
            case '*':
                return readArray(binary);
            default:
                throw new ProtocolException("Unexpected RESP type byte 0x" + Integer.toHexString(type)
                        + " ('" + (char) type + "'); is this a Redis server speaking RESP2?");
        }
    }

    private Object readBulk(boolean binary) throws IOException {
        int length = Math.toIntExact(parseLong(readLine()));
        if (length < 0) {
            return null;
        }
        byte[] data = in.readNBytes(length);
        if (data.length != length) {
            throw new EOFException("Connection closed inside a bulk string");
        }
        if (in.read() != '\r' || in.read() != '\n') {
            throw new ProtocolException("Bulk string not terminated by CRLF");
        }
        return binary ? data : new String(data, StandardCharsets.UTF_8);
    }

    private List<Object> readArray(boolean binary) throws IOException {
        int size = Math.toIntExact(parseLong(readLine()));
        if (size < 0) {
            return null;
        }
        // ArrayList rather than List.of: elements may be null (null bulk strings inside MGET, HMGET...).
        List<Object> items = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            items.add(read(binary));
        }
        return Collections.unmodifiableList(items);
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(32);
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("Connection closed inside a reply line");
            }
            if (b == '\r') {
                if (in.read() != '\n') {
                    throw new ProtocolException("CR not followed by LF");
                }
                return line.toString(StandardCharsets.UTF_8);
            }
            line.write(b);
        }
    }

    private static long parseLong(String text) throws ProtocolException {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new ProtocolException("Not a RESP integer: '" + text + "'");
        }
    }

    private static String describe(Object[] args) {
        // Only the command name: arguments may be large or binary.
        Object name = args[0];
        return name instanceof byte[] ? new String((byte[]) name, StandardCharsets.UTF_8) : String.valueOf(name);
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // Nothing useful to do: the connection is being abandoned.
        }
    }
}
