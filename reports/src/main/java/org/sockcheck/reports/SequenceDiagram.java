package org.sockcheck.reports;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A run drawn as a sequence diagram, as a self-contained SVG. Each host has
 * a lifeline for each of its processes and one for its stack; calls are
 * arrows from a process to its host's stack, returns dashed arrows back,
 * segments arrows from stack to stack, observations notes over a host. A row
 * that is not ok is drawn in red, with what was expected under it.
 *
 * @param lifelines left to right
 * @param rows      top to bottom
 */
public record SequenceDiagram(List<Lifeline> lifelines, List<Row> rows) {

    /** A lifeline: id (what rows name), the label in its box, its host, whether it is the host's stack. */
    public record Lifeline(String id, String label, String host, boolean stack) {
    }

    public enum Kind { CALL, RETURN, SEGMENT, LOST, NOTE }

    /**
     * One row of the diagram.
     *
     * @param line   the trace line it comes from; 0 for a step of the network
     * @param from   the lifeline it starts at (for a NOTE: the host it is over)
     * @param to     the lifeline it ends at (a NOTE: the same as from)
     * @param detail a second line of text (what the trace expected), or empty
     * @param ok     false: the row is where the run went wrong
     */
    public record Row(Kind kind, int line, String from, String to, String label, String detail, boolean ok) {
    }

    /** The lifelines of a run: for each host its processes and its stack, the first host's stack on the right. */
    public static List<Lifeline> lifelines(List<String> hosts, List<String> processes) {
        List<Lifeline> out = new ArrayList<>();
        for (int i = 0; i < hosts.size(); i++) {
            String h = hosts.get(i);
            List<Lifeline> procs = processes.stream().filter(p -> p.startsWith(h + "."))
                    .map(p -> new Lifeline(p, p, h, false)).toList();
            Lifeline stack = new Lifeline(h, h + " stack", h, true);
            if (i == 0) {
                out.addAll(procs);
                out.add(stack);
            } else {
                out.add(stack);
                out.addAll(procs);
            }
        }
        return out;
    }

    private static final double CHAR = 7.2;
    private static final int ROW = 34;
    private static final int LEFT = 44;
    private static final int FONT = 12;
    private static final int MAX_LABEL = 48;
    private static final String RED = "#c62828";
    private static final String BLUE = "#1f5fa8";

    /**
     * The SVG: the title and the caption (the verdict's message, a few lines)
     * on top, then the lifelines and the rows.
     */
    public String svg(String title, String caption) {
        Map<String, Integer> column = new HashMap<>();
        for (int i = 0; i < lifelines.size(); i++) {
            column.put(lifelines.get(i).id(), i);
        }
        double width = columnWidth(column);
        List<String> captionLines = caption.isEmpty() ? List.of() : caption.lines().limit(8)
                .map(l -> cut(l, 150)).toList();
        int top = 30 + captionLines.size() * 16 + 16;
        int headerHeight = 26;
        int y0 = top + 20 + headerHeight + 24;
        List<Integer> ys = new ArrayList<>();
        int y = y0;
        for (Row r : rows) {
            ys.add(y);
            y += r.kind() == Kind.NOTE ? 22 + (r.detail().isEmpty() ? 0 : 16) + 8 : ROW + (r.detail().isEmpty() ? 0 : 12);
        }
        int bottom = y + 10;
        double diagramWidth = LEFT + lifelines.size() * width + 20;
        double textWidth = 20 + captionLines.stream().mapToInt(String::length).max().orElse(0) * CHAR;
        double notesWidth = 0;
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            if (r.kind() == Kind.NOTE && column.containsKey(r.from())) {
                notesWidth = Math.max(notesWidth, x(hostStart(r.from(), column), width) - width / 2 + 8
                        + Math.max(r.label().length(), r.detail().length()) * CHAR + 16);
            }
        }
        double total = Math.max(Math.max(diagramWidth, textWidth), Math.max(notesWidth, 360));

        StringBuilder sb = new StringBuilder();
        sb.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(round(total)).append("\" height=\"")
                .append(bottom).append("\" viewBox=\"0 0 ").append(round(total)).append(' ').append(bottom)
                .append("\" font-family=\"DejaVu Sans Mono, Menlo, Consolas, monospace\" font-size=\"").append(FONT)
                .append("\">\n");
        sb.append("<defs>")
                .append(marker("arrow", "#222")).append(marker("arrow-red", RED)).append(marker("arrow-blue", BLUE))
                .append("</defs>\n");
        sb.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        sb.append(text(10, 20, title, "font-weight=\"bold\" font-size=\"14\""));
        for (int i = 0; i < captionLines.size(); i++) {
            sb.append(text(10, 40 + i * 16, captionLines.get(i), i == 0 ? "fill=\"" + RED + "\"" : "fill=\"#333\""));
        }

        // Hosts as shaded groups, lifelines with their boxes.
        int lifeTop = top + 20;
        Map<String, double[]> hosts = new LinkedHashMap<>();
        for (Lifeline l : lifelines) {
            double cx = x(column.get(l.id()), width);
            hosts.merge(l.host(), new double[] {cx, cx}, (a, b) -> new double[] {Math.min(a[0], b[0]), Math.max(a[1], b[1])});
        }
        hosts.forEach((h, span) -> {
            sb.append("<rect x=\"").append(round(span[0] - width / 2 + 4)).append("\" y=\"").append(lifeTop - 18)
                    .append("\" width=\"").append(round(span[1] - span[0] + width - 8)).append("\" height=\"")
                    .append(bottom - lifeTop + 14).append("\" rx=\"6\" fill=\"#f3f6fa\" stroke=\"#c5d0dc\"/>\n");
            sb.append(text(span[0] - width / 2 + 10, lifeTop - 5, "host " + h, "fill=\"#56687a\" font-size=\"11\""));
        });
        for (Lifeline l : lifelines) {
            double cx = x(column.get(l.id()), width);
            double w = Math.min(width - 16, l.label().length() * CHAR + 16);
            sb.append("<line x1=\"").append(round(cx)).append("\" y1=\"").append(lifeTop + headerHeight).append("\" x2=\"")
                    .append(round(cx)).append("\" y2=\"").append(bottom - 4)
                    .append("\" stroke=\"#9aa7b4\" stroke-dasharray=\"4 3\"/>\n");
            sb.append("<rect x=\"").append(round(cx - w / 2)).append("\" y=\"").append(lifeTop).append("\" width=\"")
                    .append(round(w)).append("\" height=\"").append(headerHeight).append("\" rx=\"4\" fill=\"")
                    .append(l.stack() ? "#dfe8f3" : "#ffffff").append("\" stroke=\"#56687a\"/>\n");
            sb.append(centered(cx, lifeTop + 17, l.label(), l.stack() ? "font-weight=\"bold\"" : ""));
        }

        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            int ry = ys.get(i);
            if (!r.ok()) {
                int h = (i + 1 < ys.size() ? ys.get(i + 1) : bottom - 10) - ry;
                sb.append("<rect x=\"2\" y=\"").append(ry - 18).append("\" width=\"").append(round(total - 4))
                        .append("\" height=\"").append(h).append("\" fill=\"#fdecea\"/>\n");
            }
            if (r.line() > 0) {
                sb.append(text(6, ry + (r.kind() == Kind.NOTE ? 0 : 4), Integer.toString(r.line()),
                        "fill=\"#8a96a3\" font-size=\"11\""));
            }
            Integer from = column.get(r.from());
            Integer to = column.get(r.to());
            if (from == null || to == null) {
                continue;
            }
            String colour = !r.ok() ? RED : r.kind() == Kind.SEGMENT || r.kind() == Kind.LOST ? BLUE : "#222";
            String weight = r.ok() ? "" : " font-weight=\"bold\"";
            switch (r.kind()) {
                case NOTE -> {
                    double left = x(hostStart(r.from(), column), width) - width / 2 + 8;
                    double w = Math.max(r.label().length(), r.detail().length()) * CHAR + 16;
                    int h = r.detail().isEmpty() ? 22 : 38;
                    sb.append("<rect x=\"").append(round(left)).append("\" y=\"").append(ry - 15).append("\" width=\"")
                            .append(round(w)).append("\" height=\"").append(h).append("\" fill=\"")
                            .append(r.ok() ? "#fff8d6" : "#ffffff").append("\" stroke=\"").append(r.ok() ? "#c9b458" : RED)
                            .append("\"/>\n");
                    sb.append(text(left + 8, ry, r.label(), "fill=\"" + colour + "\"" + weight));
                    if (!r.detail().isEmpty()) {
                        sb.append(text(left + 8, ry + 16, r.detail(), "fill=\"#555\""));
                    }
                }
                default -> arrow(sb, r, x(from, width), x(to, width), ry, colour, weight, width);
            }
        }
        return sb.append("</svg>\n").toString();
    }

    private static void arrow(StringBuilder sb, Row r, double x1, double x2, int y, String colour, String weight,
                              double width) {
        String marker = colour.equals(RED) ? "arrow-red" : colour.equals(BLUE) ? "arrow-blue" : "arrow";
        String dash = r.kind() == Kind.RETURN ? " stroke-dasharray=\"6 4\"" : "";
        String label = cut(r.label(), MAX_LABEL);
        if (x1 == x2) {
            // A segment between two sockets of one host: a loop on its stack.
            sb.append("<path d=\"M").append(round(x1)).append(',').append(y - 6).append(" h36 v14 h-32\" fill=\"none\" stroke=\"")
                    .append(colour).append("\" stroke-width=\"1.5\"").append(dash).append(" marker-end=\"url(#")
                    .append(marker).append(")\"/>\n");
            sb.append(text(x1 + 42, y + 4, label, "fill=\"" + colour + "\"" + weight));
            if (!r.detail().isEmpty()) {
                sb.append(text(x1 + 42, y + 18, cut(r.detail(), MAX_LABEL), "fill=\"#555\" font-size=\"11\""));
            }
            return;
        }
        if (r.kind() == Kind.LOST) {
            double mid = (x1 + x2) / 2;
            sb.append(line(x1, y, mid, y, colour, dash)).append("\n");
            sb.append(text(mid - 4, y + 4, "\u2717", "fill=\"" + RED + "\" font-size=\"14\""));
        } else {
            sb.append("<line x1=\"").append(round(x1)).append("\" y1=\"").append(y).append("\" x2=\"")
                    .append(round(x2 + (x2 > x1 ? -2 : 2))).append("\" y2=\"").append(y).append("\" stroke=\"").append(colour)
                    .append("\" stroke-width=\"1.5\"").append(dash).append(" marker-end=\"url(#").append(marker)
                    .append(")\"/>\n");
        }
        double cx = (x1 + x2) / 2;
        sb.append(centered(cx, y - 6, label, "fill=\"" + colour + "\"" + weight));
        if (!r.detail().isEmpty()) {
            sb.append(centered(cx, y + 14, cut(r.detail(), MAX_LABEL), "fill=\"#555\" font-size=\"11\""));
        }
    }

    /** Wide enough that the longest label of a row fits between the lifelines it joins. */
    private double columnWidth(Map<String, Integer> column) {
        double w = 150;
        for (Row r : rows) {
            Integer a = column.get(r.from());
            Integer b = column.get(r.to());
            if (r.kind() == Kind.NOTE || a == null || b == null) {
                continue;
            }
            int span = Math.max(1, Math.abs(a - b));
            int chars = Math.max(Math.min(r.label().length(), MAX_LABEL), Math.min(r.detail().length(), MAX_LABEL));
            w = Math.max(w, (chars * CHAR + 24) / span);
        }
        return Math.min(w, 240);
    }

    private int hostStart(String host, Map<String, Integer> column) {
        int first = Integer.MAX_VALUE;
        for (Lifeline l : lifelines) {
            if (l.host().equals(host)) {
                first = Math.min(first, column.get(l.id()));
            }
        }
        return first == Integer.MAX_VALUE ? 0 : first;
    }

    private static double x(int column, double width) {
        return LEFT + column * width + width / 2;
    }

    private static String marker(String id, String colour) {
        return "<marker id=\"" + id + "\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"8\" markerHeight=\"8\""
                + " orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"" + colour + "\"/></marker>";
    }

    private static String line(double x1, double y1, double x2, double y2, String colour, String dash) {
        return "<line x1=\"" + round(x1) + "\" y1=\"" + round(y1) + "\" x2=\"" + round(x2) + "\" y2=\"" + round(y2)
                + "\" stroke=\"" + colour + "\" stroke-width=\"1.5\"" + dash + "/>";
    }

    private static String text(double x, double y, String s, String attrs) {
        return "<text x=\"" + round(x) + "\" y=\"" + round(y) + "\" " + attrs + " xml:space=\"preserve\">" + Markup.escape(s)
                + "</text>\n";
    }

    private static String centered(double x, double y, String s, String attrs) {
        return text(x, y, s, "text-anchor=\"middle\" " + attrs);
    }

    private static String cut(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "\u2026";
    }

    private static String round(double d) {
        return Long.toString(Math.round(d));
    }
}
