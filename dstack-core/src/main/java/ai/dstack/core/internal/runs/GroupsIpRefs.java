package ai.dstack.core.internal.runs;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * dstack's {@code ${{ groups[i].nodes[j].IP_ADDRESS }}} (tasks) and {@code ${{ groups[i].replicas[j].IP_ADDRESS }}}
 * (services) references in commands: checked when a run is submitted, resolved when its jobs start. As elsewhere,
 * {@code $${{ ... }}} is an escape and is skipped.
 */
public final class GroupsIpRefs {
    private static final String INNER = "groups\\[(\\d+)\\]\\.(nodes|replicas)\\[(\\d+)\\]\\.IP_ADDRESS";
    private static final Pattern REF_NAME = Pattern.compile(INNER);
    private static final Pattern REF = Pattern.compile("(?<!\\$)\\$\\{\\{\\s*" + INNER + "\\s*\\}\\}");
    private static final Pattern ANY_REF = Pattern.compile("(?<!\\$)\\$\\{\\{\\s*([^}]+?)\\s*\\}\\}");

    /** One reference: {@code groups[groupIndex].member[index]}. */
    record Ref(int groupIndex, String member, int index) {}

    private GroupsIpRefs() {}

    /**
     * Rejects a {@code groups...} reference that is not a well-formed IP reference.
     *
     * @throws InterpolationException {@code Illegal reference name: ...}
     */
    static void validate(String s) {
        Matcher m = ANY_REF.matcher(s);
        while (m.find()) {
            String name = m.group(1).strip();
            if (Interpolation.namespaceRoot(name).equals("groups") && !REF_NAME.matcher(name).matches()) {
                throw new InterpolationException("Illegal reference name: " + name);
            }
        }
    }

    /** Whether {@code s} has any reference into the {@code groups} namespace. */
    static boolean containsAny(String s) {
        Matcher m = ANY_REF.matcher(s);
        while (m.find()) {
            if (Interpolation.namespaceRoot(m.group(1).strip()).equals("groups")) {
                return true;
            }
        }
        return false;
    }

    static List<Ref> find(String s) {
        List<Ref> refs = new ArrayList<>();
        Matcher m = REF.matcher(s);
        while (m.find()) {
            refs.add(new Ref(Integer.parseInt(m.group(1)), m.group(2), Integer.parseInt(m.group(3))));
        }
        return refs;
    }

    /** Rejects references to {@code replicas} in a task or to {@code nodes} in a service. */
    static void validateMember(String s, String expected) {
        for (Ref ref : find(s)) {
            if (!ref.member().equals(expected)) {
                throw new InterpolationException("Illegal reference name: groups[" + ref.groupIndex() + "]." + ref.member()
                        + "[" + ref.index() + "].IP_ADDRESS");
            }
        }
    }

    /** Rejects references past the groups' sizes (nodes of a node group, minimum replicas of a replica group). */
    static void validateBounds(String s, List<Integer> groupSizes, String member) {
        for (Ref ref : find(s)) {
            if (!ref.member().equals(member)) {
                continue;
            }
            boolean groupExists = ref.groupIndex() < groupSizes.size();
            if (!groupExists || ref.index() >= groupSizes.get(ref.groupIndex())) {
                String prefix = "Invalid reference groups[" + ref.groupIndex() + "]." + member + "[" + ref.index() + "].IP_ADDRESS: ";
                if (member.equals("replicas") && groupExists && groupSizes.get(ref.groupIndex()) == 0) {
                    throw new InterpolationException(prefix + "this group scales to zero, so no replica is guaranteed at start");
                }
                throw new InterpolationException(prefix + "out of range");
            }
        }
    }

    /**
     * Puts the IP addresses in: {@code view.get(i).get(j)} is the address of node (or replica) {@code j} of group
     * {@code i}, empty while unknown.
     *
     * @param member {@code nodes} for tasks, {@code replicas} for services
     * @throws InterpolationException for a malformed, misplaced or out-of-range reference, or an unknown address
     */
    public static String interpolate(String s, List<List<String>> view, String member) {
        validate(s);
        validateMember(s, member);
        validateBounds(s, view.stream().map(List::size).toList(), member);
        Matcher m = REF.matcher(s);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            if (!m.group(2).equals(member)) {
                continue;
            }
            int group = Integer.parseInt(m.group(1));
            int index = Integer.parseInt(m.group(3));
            String ip = view.get(group).get(index);
            if (ip == null || ip.isEmpty()) {
                throw new InterpolationException("IP not available for groups[" + group + "]." + member + "[" + index + "].IP_ADDRESS");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(ip));
        }
        m.appendTail(out);
        return out.toString();
    }
}
