package io.stateguard.gateway;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.DeflaterOutputStream;

/**
 * A minimal PNG encoder (8-bit grayscale, no filtering): enough for the QR code images the gateway returns,
 * without pulling in {@code java.desktop} and AWT start-up costs.
 */
final class Png {

    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

    private Png() {
    }

    /**
     * @param width  pixels per row
     * @param height rows
     * @param gray   {@code width * height} luminance bytes, row by row (0 black, 255 white)
     * @return the PNG file
     */
    static byte[] grayscale(int width, int height, byte[] gray) {
        if (width <= 0 || height <= 0 || gray.length != width * height) {
            throw new IllegalArgumentException("Expected " + width + "x" + height + " pixels, got " + gray.length);
        }
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        png.writeBytes(SIGNATURE);
        byte[] header = new byte[13];
        putInt(header, 0, width);
        putInt(header, 4, height);
        header[8] = 8; // bit depth
        header[9] = 0; // color type: grayscale
        // compression 0, filter method 0, no interlace: already zero
        chunk(png, "IHDR", header);
        chunk(png, "IDAT", deflatedScanlines(width, height, gray));
        chunk(png, "IEND", new byte[0]);
        return png.toByteArray();
    }

    private static byte[] deflatedScanlines(int width, int height, byte[] gray) {
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        try (DeflaterOutputStream out = new DeflaterOutputStream(compressed)) {
            for (int y = 0; y < height; y++) {
                out.write(0); // filter type "none" for this scanline
                out.write(gray, y * width, width);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("In-memory deflate failed", e);
        }
        return compressed.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream png, String type, byte[] data) {
        byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
        byte[] length = new byte[4];
        putInt(length, 0, data.length);
        png.writeBytes(length);
        png.writeBytes(typeBytes);
        png.writeBytes(data);
        CRC32 crc = new CRC32();
        crc.update(typeBytes);
        crc.update(data);
        byte[] checksum = new byte[4];
        putInt(checksum, 0, (int) crc.getValue());
        png.writeBytes(checksum);
    }

    private static void putInt(byte[] target, int offset, int value) {
        target[offset] = (byte) (value >>> 24);
        target[offset + 1] = (byte) (value >>> 16);
        target[offset + 2] = (byte) (value >>> 8);
        target[offset + 3] = (byte) value;
    }
}
