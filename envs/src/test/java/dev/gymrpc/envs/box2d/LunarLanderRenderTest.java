package dev.gymrpc.envs.box2d;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gymrpc.envs.RgbImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The frame is Gymnasium's: 600x400, black sky over white ground, purple lander, yellow flags. */
class LunarLanderRenderTest {

    private static final int SKY = 0x000000;
    private static final int GROUND = 0xFFFFFF;
    private static final int BODY = 128 << 16 | 102 << 8 | 230;
    private static final int FLAG = 204 << 16 | 204 << 8;
    private static final int POLE = 0xFFFFFF;

    /** Image row of world height {@code y} metres (Gymnasium flips the surface vertically). */
    private static int row(double y) {
        return (int) Math.floor(LunarLander.VIEWPORT_H - y * LunarLander.SCALE);
    }

    private static int col(double x) {
        return (int) Math.floor(x * LunarLander.SCALE);
    }

    @Test
    void frameHasGymnasiumLayoutAndColours() throws IOException {
        LunarLanderDiscrete env = new LunarLanderDiscrete();
        float[] s = env.reset(0L, Map.of()).observation();
        // fly a little with the heuristic so the lander is fully on screen, then fire the main engine
        for (int t = 0; t < 40; t++) {
            s = env.step(LunarLanderHeuristic.discreteAction(s)).observation();
        }
        s = env.step(2).observation();
        s = env.step(2).observation();
        RgbImage img = env.render();
        assertEquals(600, img.width());
        assertEquals(400, img.height());
        assertEquals(600 * 400 * 3, img.rgb().length);

        Path out = Path.of("target", "lunar-lander.png");
        Files.createDirectories(out.getParent());
        Files.write(out, img.toPng());

        // sky above the terrain, ground below it (terrain heights are at most 0.99 * H/2)
        assertEquals(SKY, img.pixel(5, 5));
        assertEquals(SKY, img.pixel(590, 120));
        assertEquals(GROUND, img.pixel(5, 398));
        assertEquals(GROUND, img.pixel(300, row(LunarLander.HELIPAD_Y * 0.99) + 20));
        // the pad: ground just below its surface, sky just above
        assertEquals(GROUND, img.pixel(280, row(0.99 * LunarLander.HELIPAD_Y) + 3));
        assertEquals(SKY, img.pixel(280, row(0.99 * LunarLander.HELIPAD_Y) - 3));

        // flags: white poles from helipad_y up 50 px, yellow pennants at the top pointing right
        for (double hx : new double[] {LunarLander.HELIPAD_X1, LunarLander.HELIPAD_X2}) {
            int x = col(hx);
            int poleRow = row(LunarLander.HELIPAD_Y) - 25;
            assertTrue(img.pixel(x, poleRow) == POLE || img.pixel(x - 1, poleRow) == POLE,
                    "pole at x=" + x + " row " + poleRow);
            int flagRow = row(LunarLander.HELIPAD_Y) - 50 + 5;
            assertEquals(FLAG, img.pixel(x + 6, flagRow), "flag at x=" + (x + 6) + " row " + flagRow);
        }

        // the lander body at its centre of mass (a bit above its origin)
        double x = s[0] * 10 + 10;
        double y = s[1] * (LunarLander.H / 2) + LunarLander.HELIPAD_Y + 18 / 30.0;
        assertEquals(BODY, img.pixel(col(x), row(y + 0.1)));

        // exhaust below the lander: reddish particles (red well above green) within 40 px under it
        assertTrue(hasFlame(img, col(x), row(y)), "flame particles below a lander whose engine fired");
    }

    @Test
    void flamesFadeWhenTheEnginesStop() {
        LunarLanderDiscrete env = new LunarLanderDiscrete(-1.0, false, 15, 1.5);
        float[] s = env.reset(3L, Map.of()).observation();
        for (int t = 0; t < 5; t++) {
            s = env.step(2).observation();
        }
        RgbImage burning = env.render();
        double x = s[0] * 10 + 10;
        double y = s[1] * (LunarLander.H / 2) + LunarLander.HELIPAD_Y + 18 / 30.0;
        assertTrue(hasFlame(burning, col(x), row(y)));
        for (int t = 0; t < 10; t++) {
            s = env.step(0).observation();
        }
        RgbImage cold = env.render();
        x = s[0] * 10 + 10;
        y = s[1] * (LunarLander.H / 2) + LunarLander.HELIPAD_Y + 18 / 30.0;
        assertFalse(hasFlame(cold, col(x), row(y)), "particles live about 6 frames");
    }

    private static boolean hasFlame(RgbImage img, int cx, int cy) {
        for (int yy = Math.max(0, cy); yy < Math.min(img.height(), cy + 60); yy++) {
            for (int xx = Math.max(0, cx - 30); xx < Math.min(img.width(), cx + 30); xx++) {
                int p = img.pixel(xx, yy);
                int r = p >> 16 & 0xff;
                int g = p >> 8 & 0xff;
                int b = p & 0xff;
                if (r > g + 60 && g == b) {
                    return true;
                }
            }
        }
        return false;
    }

    @Test
    void renderingBeforeResetIsAnErrorAndAfterCloseToo() {
        LunarLanderDiscrete env = new LunarLanderDiscrete();
        org.junit.jupiter.api.Assertions.assertThrows(dev.gymrpc.envs.ResetNeededException.class, env::render);
        env.reset(0L, Map.of());
        env.render();
        env.close();
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, env::render);
    }
}
