package io.stateguard.agent.guard;

import java.util.Arrays;

/**
 * The key and value arguments of one command, in order, as the bytes the client sends: what a client
 * adapter hands to the {@link CommandClassifier}. A key argument is a key or a hash field (clients
 * encode both with the key codec); a value argument is anything else. Mutable while the adapter
 * fills it, then only read.
 */
public final class EncodedArguments {

    private byte[][] bytes = new byte[4][];
    private boolean[] keys = new boolean[4];
    private boolean[] numbers = new boolean[4];
    private int size;

    /** Appends one argument; {@code bytes} may be {@code null} (a null argument) and is not copied. */
    public EncodedArguments add(boolean key, byte[] bytes) {
        return add(key, false, bytes);
    }

    /**
     * Appends a number argument (a time to live, for example), as the ASCII decimal the client sends: a
     * value argument that is never taken for a value written ({@code SETEX key seconds value}).
     */
    public EncodedArguments addNumber(byte[] decimal) {
        return add(false, true, decimal);
    }

    private EncodedArguments add(boolean key, boolean number, byte[] bytes) {
        if (size == this.bytes.length) {
            this.bytes = Arrays.copyOf(this.bytes, size * 2);
            this.keys = Arrays.copyOf(this.keys, size * 2);
            this.numbers = Arrays.copyOf(this.numbers, size * 2);
        }
        this.bytes[size] = bytes;
        this.keys[size] = key;
        this.numbers[size] = number;
        size++;
        return this;
    }

    public int size() {
        return size;
    }

    /** {@code true} for a key argument (a key or a hash field), {@code false} for a value. */
    public boolean isKey(int index) {
        return keys[checked(index)];
    }

    /** {@code true} for a number argument ({@link #addNumber}). */
    public boolean isNumber(int index) {
        return numbers[checked(index)];
    }

    /** The encoded bytes of argument {@code index}, or {@code null}. Not copied. */
    public byte[] bytes(int index) {
        return bytes[checked(index)];
    }

    private int checked(int index) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException("argument " + index + " of " + size);
        }
        return index;
    }
}
