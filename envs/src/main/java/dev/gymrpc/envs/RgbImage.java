package dev.gymrpc.envs;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;

/**
 * An RGB frame, {@code height x width x 3} unsigned bytes in row-major order: the layout of Gymnasium's
 * {@code rgb_array} (a uint8 array of shape (H, W, 3)).
 */
public record RgbImage(int width, int height, byte[] rgb) {

    public RgbImage {
        if (rgb.length != width * height * 3) {
            throw new IllegalArgumentException("expected " + width * height * 3 + " bytes, got " + rgb.length);
        }
    }

    /** Copies the pixels of a Java2D image. */
    public static RgbImage of(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
        byte[] out = new byte[w * h * 3];
        for (int i = 0, j = 0; i < argb.length; i++) {
            int p = argb[i];
            out[j++] = (byte) (p >> 16);
            out[j++] = (byte) (p >> 8);
            out[j++] = (byte) p;
        }
        return new RgbImage(w, h, out);
    }

    /** The colour at (x, y) as {@code 0xRRGGBB}; y = 0 is the top row. */
    public int pixel(int x, int y) {
        int i = (y * width + x) * 3;
        return (rgb[i] & 0xff) << 16 | (rgb[i + 1] & 0xff) << 8 | (rgb[i + 2] & 0xff);
    }

    public BufferedImage toBufferedImage() {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        int[] px = new int[width * height];
        for (int i = 0; i < px.length; i++) {
            px[i] = (rgb[3 * i] & 0xff) << 16 | (rgb[3 * i + 1] & 0xff) << 8 | (rgb[3 * i + 2] & 0xff);
        }
        img.setRGB(0, 0, width, height, px, 0, width);
        return img;
    }

    /** Encodes as PNG. */
    public byte[] toPng() {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(toBufferedImage(), "png", out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
