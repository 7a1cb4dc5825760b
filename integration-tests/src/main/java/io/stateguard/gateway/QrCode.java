package io.stateguard.gateway;

import java.util.Arrays;
import java.util.Base64;
import java.util.Random;

/**
 * A pairing QR code as Evolution API returns it from {@code GET /instance/connect/{name}}:
 * {@code {"pairingCode":null,"code":"2@...","base64":"data:image/png;base64,...","count":N}}.
 *
 * <p>{@code code} has the shape of WhatsApp's pairing reference ({@code 2@ref,noiseKey,identityKey,advSecret});
 * the image is a QR-looking PNG drawn from it. No phone ever scans it: the gateway's connection loop
 * simulates the scan.
 *
 * @param code  the pairing payload
 * @param count how many QR codes the gateway has issued for this instance so far
 */
public record QrCode(String code, int count) {

    private static final int MODULES = 25;
    private static final int SCALE = 4;
    private static final int QUIET = 2;

    /** @return a new code for an instance */
    public static QrCode issue(int count) {
        String code = "2@" + Creds.randomKey().substring(0, 24) + "," + Creds.randomKey() + "," + Creds.randomKey()
                + "," + Creds.randomKey();
        return new QrCode(code, count);
    }

    /** @return the response body */
    public String toJson() {
        return Json.write(Json.object("pairingCode", null, "code", code, "base64", dataUri(), "count", count));
    }

    /** @return {@code data:image/png;base64,...} of an image derived from {@link #code()} */
    public String dataUri() {
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(image());
    }

    private byte[] image() {
        int side = (MODULES + 2 * QUIET) * SCALE;
        byte[] pixels = new byte[side * side];
        Arrays.fill(pixels, (byte) 0xFF);
        Random modules = new Random(code.hashCode());
        for (int row = 0; row < MODULES; row++) {
            for (int column = 0; column < MODULES; column++) {
                if (isDark(row, column, modules)) {
                    fill(pixels, side, row, column);
                }
            }
        }
        return Png.grayscale(side, side, pixels);
    }

    /** Finder patterns in three corners, as on a real QR code; pseudo-random data modules elsewhere. */
    private static boolean isDark(int row, int column, Random modules) {
        boolean data = modules.nextBoolean(); // drawn for every module so the pattern only depends on the code
        int[][] corners = {{0, 0}, {0, MODULES - 7}, {MODULES - 7, 0}};
        for (int[] corner : corners) {
            int r = row - corner[0];
            int c = column - corner[1];
            if (r >= -1 && r <= 7 && c >= -1 && c <= 7) {
                if (r < 0 || r > 6 || c < 0 || c > 6) {
                    return false; // white separator around the finder
                }
                boolean ring = r == 0 || r == 6 || c == 0 || c == 6;
                boolean center = r >= 2 && r <= 4 && c >= 2 && c <= 4;
                return ring || center;
            }
        }
        return data;
    }

    private static void fill(byte[] pixels, int side, int row, int column) {
        for (int y = 0; y < SCALE; y++) {
            int offset = ((QUIET + row) * SCALE + y) * side + (QUIET + column) * SCALE;
            Arrays.fill(pixels, offset, offset + SCALE, (byte) 0);
        }
    }
}
