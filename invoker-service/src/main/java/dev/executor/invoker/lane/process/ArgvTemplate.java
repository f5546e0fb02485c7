package dev.executor.invoker.lane.process;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.executor.contracts.ErrorReasons;
import dev.executor.invoker.lane.LaneException;

/**
 * Builds an argument vector from a {@code ProcessBinding.args_template}. No shell is involved:
 * each produced string is one argv entry, passed verbatim to {@code exec}.
 *
 * <ul>
 * <li>{@code {name}} is replaced by the argument {@code name}; {@code {{} and {@code }}} are
 * literal braces. Names are letters, digits, {@code _ . -}, starting with a letter or {@code _};
 * any other brace is literal text.</li>
 * <li>An entry whose argument is missing or null is dropped, whether the entry is the placeholder
 * alone ({@code {path}}) or has text around it ({@code --since={since}}).</li>
 * <li>An array expands to one entry per element ({@code {files}} → {@code a b};
 * {@code --tag={tags}} → {@code --tag=a --tag=b}); an empty array drops the entry. One entry may
 * hold at most one array.</li>
 * <li>Strings pass as they are, numbers and booleans as their JSON text. Objects, nested arrays
 * and strings with a NUL character are refused with {@code INVALID_ARGUMENTS}.</li>
 * </ul>
 */
public final class ArgvTemplate {

    private sealed interface Part permits Text, Placeholder {
    }

    private record Text(String text) implements Part {
    }

    private record Placeholder(String name) implements Part {
    }

    private ArgvTemplate() {
    }

    /** The argv entries (without the executable) for {@code arguments}. */
    public static List<String> expand(List<String> template, ObjectNode arguments) {
        List<String> argv = new ArrayList<>();
        for (String entry : template) {
            expandEntry(parse(entry), arguments, argv);
        }
        return argv;
    }

    private static void expandEntry(List<Part> parts, ObjectNode arguments, List<String> argv) {
        String arrayName = null;
        JsonNode array = null;
        for (Part part : parts) {
            if (part instanceof Placeholder p) {
                JsonNode value = arguments == null ? null : arguments.get(p.name());
                if (value == null || value.isNull() || value.isMissingNode()) {
                    return; // an optional argument that was not given: the whole entry goes
                }
                if (value.isObject()) {
                    throw invalid("Argument '" + p.name() + "' is an object; the process lane passes only strings, numbers, "
                            + "booleans and arrays of them.");
                }
                if (value.isArray()) {
                    if (arrayName != null && !arrayName.equals(p.name())) {
                        throw invalid("Arguments '" + arrayName + "' and '" + p.name() + "' are both arrays but share one "
                                + "command-line entry; the tool's argument template cannot expand that.");
                    }
                    arrayName = p.name();
                    array = value;
                }
            }
        }
        if (array == null) {
            argv.add(render(parts, arguments, null, null));
            return;
        }
        for (JsonNode element : array) {
            if (element.isContainerNode() || element.isNull()) {
                throw invalid("Argument '" + arrayName + "' holds an element that is not a string, number or boolean.");
            }
            argv.add(render(parts, arguments, arrayName, element));
        }
    }

    private static String render(List<Part> parts, ObjectNode arguments, String arrayName, JsonNode element) {
        StringBuilder out = new StringBuilder();
        for (Part part : parts) {
            if (part instanceof Text t) {
                out.append(t.text());
            } else if (part instanceof Placeholder p) {
                JsonNode value = p.name().equals(arrayName) ? element : arguments.get(p.name());
                String text = value.isTextual() ? value.textValue() : value.asText();
                if (text.indexOf('\0') >= 0) {
                    throw invalid("Argument '" + p.name() + "' contains a NUL character, which cannot be passed on a command line.");
                }
                out.append(text);
            }
        }
        return out.toString();
    }

    static List<Part> parse(String entry) {
        List<Part> parts = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        int i = 0;
        while (i < entry.length()) {
            char c = entry.charAt(i);
            if ((c == '{' || c == '}') && i + 1 < entry.length() && entry.charAt(i + 1) == c) {
                text.append(c);
                i += 2;
                continue;
            }
            if (c == '{') {
                int end = entry.indexOf('}', i + 1);
                if (end > i + 1 && isName(entry, i + 1, end)) {
                    if (!text.isEmpty()) {
                        parts.add(new Text(text.toString()));
                        text.setLength(0);
                    }
                    parts.add(new Placeholder(entry.substring(i + 1, end)));
                    i = end + 1;
                    continue;
                }
            }
            text.append(c);
            i++;
        }
        if (!text.isEmpty() || parts.isEmpty()) {
            parts.add(new Text(text.toString()));
        }
        return parts;
    }

    private static boolean isName(String s, int from, int to) {
        char first = s.charAt(from);
        if (!(Character.isLetter(first) || first == '_')) {
            return false;
        }
        for (int i = from + 1; i < to; i++) {
            char c = s.charAt(i);
            if (!(Character.isLetterOrDigit(c) || c == '_' || c == '.' || c == '-')) {
                return false;
            }
        }
        return true;
    }

    private static LaneException invalid(String message) {
        return new LaneException(ErrorReasons.INVALID_ARGUMENTS, message);
    }
}
