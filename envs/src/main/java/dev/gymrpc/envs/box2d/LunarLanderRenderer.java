package dev.gymrpc.envs.box2d;

import dev.gymrpc.envs.RgbImage;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import org.jbox2d.collision.shapes.PolygonShape;
import org.jbox2d.common.Vec2;
import org.jbox2d.dynamics.Body;
import org.jbox2d.dynamics.Fixture;

/**
 * Draws a {@link LunarLander} as Gymnasium's {@code render()} does in {@code rgb_array} mode, with Java2D
 * on a headless 600x400 image: white ground, black sky above the terrain, the lander and legs in
 * (128, 102, 230) outlined in (77, 77, 128), white flag poles with (204, 204, 0) flags at the helipad
 * edges, and exhaust particles whose colour fades as Gymnasium's do.
 *
 * <p>Gymnasium's particles are Box2D bodies created only when rendering; here they are recomputed from
 * the env's recent engine firings (position, exhaust direction, power) with a ballistic path, so
 * rendering never touches the physics world or the env's random generator.
 */
final class LunarLanderRenderer {

    static final Color SKY = new Color(0, 0, 0);
    static final Color GROUND = new Color(255, 255, 255);
    static final Color BODY_FILL = new Color(128, 102, 230);
    static final Color BODY_OUTLINE = new Color(77, 77, 128);
    static final Color FLAG = new Color(204, 204, 0);
    static final Color POLE = new Color(255, 255, 255);

    private static final double SCALE = LunarLander.SCALE;
    /** Particle radius in metres and densities, as in {@code _create_particle}. */
    private static final double PARTICLE_RADIUS = 2 / SCALE;
    private static final double MAIN_PARTICLE_MASS = 3.5 * Math.PI * PARTICLE_RADIUS * PARTICLE_RADIUS;
    private static final double SIDE_PARTICLE_MASS = 0.7 * Math.PI * PARTICLE_RADIUS * PARTICLE_RADIUS;

    private LunarLanderRenderer() {
    }

    static RgbImage render(LunarLander<?> env) {
        int w = LunarLander.VIEWPORT_W;
        int h = LunarLander.VIEWPORT_H;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
            // Gymnasium draws with y up in pixels (world metres * SCALE) and flips the surface at the end.
            g.transform(new AffineTransform(1, 0, 0, -1, 0, h));
            g.setStroke(new BasicStroke(1f));

            g.setColor(GROUND);
            g.fillRect(0, 0, w, h);

            double[] sy = env.smoothY();
            double top = LunarLander.H * SCALE;
            for (int i = 0; i < LunarLander.CHUNKS - 1; i++) {
                double x1 = LunarLander.chunkX(i) * SCALE;
                double x2 = LunarLander.chunkX(i + 1) * SCALE;
                Path2D.Double p = new Path2D.Double();
                p.moveTo(x1, sy[i] * SCALE);
                p.lineTo(x2, sy[i + 1] * SCALE);
                p.lineTo(x2, top);
                p.lineTo(x1, top);
                p.closePath();
                fillAndOutline(g, p, SKY, SKY);
            }

            drawParticles(g, env);

            Body lander = env.landerBody();
            if (lander != null) {
                drawBody(g, lander);
                drawFlags(g);
                for (int i = 0; i < 2; i++) {
                    drawBody(g, env.leg(i));
                    drawFlags(g);
                }
            } else {
                drawFlags(g);
            }
        } finally {
            g.dispose();
        }
        return RgbImage.of(img);
    }

    private static void fillAndOutline(Graphics2D g, Path2D.Double p, Color fill, Color outline) {
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_OFF);
        g.setColor(fill);
        g.fill(p);
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(outline);
        g.draw(p);
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_OFF);
    }

    private static void drawBody(Graphics2D g, Body body) {
        Vec2 world = new Vec2();
        for (Fixture f = body.getFixtureList(); f != null; f = f.getNext()) {
            if (!(f.getShape() instanceof PolygonShape poly)) {
                continue;
            }
            Path2D.Double p = new Path2D.Double();
            for (int i = 0; i < poly.getVertexCount(); i++) {
                body.getWorldPointToOut(poly.getVertex(i), world);
                if (i == 0) {
                    p.moveTo(world.x * SCALE, world.y * SCALE);
                } else {
                    p.lineTo(world.x * SCALE, world.y * SCALE);
                }
            }
            p.closePath();
            // polygon + aapolygon in color1, then aalines in color2
            fillAndOutline(g, p, BODY_FILL, BODY_FILL);
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setColor(BODY_OUTLINE);
            g.draw(p);
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_OFF);
        }
    }

    private static void drawFlags(Graphics2D g) {
        for (double hx : new double[] {LunarLander.HELIPAD_X1, LunarLander.HELIPAD_X2}) {
            double x = hx * SCALE;
            double flagy1 = LunarLander.HELIPAD_Y * SCALE;
            double flagy2 = flagy1 + 50;
            // pygame.draw.line(width=1) covers pixel column x, rows flagy1..flagy2 inclusive
            g.setColor(POLE);
            g.fill(new Rectangle2D.Double(Math.floor(x), flagy1, 1, flagy2 - flagy1 + 1));
            Path2D.Double flag = new Path2D.Double();
            flag.moveTo(x, flagy2);
            flag.lineTo(x, flagy2 - 10);
            flag.lineTo(x + 25, flagy2 - 5);
            flag.closePath();
            fillAndOutline(g, flag, FLAG, FLAG);
        }
    }

    /**
     * Exhaust particles of recent firings. A particle is born at the impulse point with the impulse the
     * original gives it ({@code (ox, oy) * power * engine power} on a 2-px disc of density 3.5 or 0.7),
     * falls under gravity, stops at the terrain, and fades as Gymnasium's ttl does (ttl starts at the
     * engine power and loses 0.15 per frame; the particle is gone below 0).
     */
    private static void drawParticles(Graphics2D g, LunarLander<?> env) {
        LunarLander.FlameTrail t = env.flames;
        long now = env.stepCount();
        double gravity = env.gravity();
        // Oldest first, as Gymnasium draws its particle list.
        for (int k = t.size; k >= 1; k--) {
            int i = Math.floorMod(t.next - k, LunarLander.FlameTrail.CAPACITY);
            long age = now - t.step[i];
            double ttl = t.power[i] - 0.15 * (age + 1);
            if (ttl < 0) {
                continue;
            }
            double mass = t.main[i] ? MAIN_PARTICLE_MASS : SIDE_PARTICLE_MASS;
            double enginePower = t.main[i] ? LunarLander.MAIN_ENGINE_POWER : LunarLander.SIDE_ENGINE_POWER;
            double vx = t.ox[i] * enginePower * t.power[i] / mass;
            double vy = t.oy[i] * enginePower * t.power[i] / mass;
            double time = (age + 1) / (double) LunarLander.FPS;
            double x = t.x[i] + vx * time;
            double y = t.y[i] + vy * time + 0.5 * gravity * time * time;
            x = Math.max(0, Math.min(LunarLander.W, x));
            y = Math.max(y, terrainHeight(env.smoothY(), x));
            int r = (int) (Math.max(0.2, 0.15 + ttl) * 255);
            int gb = (int) (Math.max(0.2, 0.5 * ttl) * 255);
            g.setColor(new Color(Math.min(r, 255), Math.min(gb, 255), Math.min(gb, 255)));
            double cx = x * SCALE;
            double cy = y * SCALE;
            double rad = PARTICLE_RADIUS * SCALE;
            g.fill(new Ellipse2D.Double(cx - rad, cy - rad, 2 * rad, 2 * rad));
        }
    }

    private static double terrainHeight(double[] smoothY, double x) {
        double step = LunarLander.chunkX(1);
        int i = (int) Math.min(LunarLander.CHUNKS - 2, Math.max(0, Math.floor(x / step)));
        double f = (x - LunarLander.chunkX(i)) / step;
        return smoothY[i] + (smoothY[i + 1] - smoothY[i]) * f;
    }
}
