package org.sockcheck.reports;

/** Text in HTML and SVG: the characters markup gives a meaning escaped. */
public final class Markup {
    private Markup() {
    }

    public static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
