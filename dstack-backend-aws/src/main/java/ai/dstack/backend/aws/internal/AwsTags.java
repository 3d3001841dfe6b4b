package ai.dstack.backend.aws.internal;

import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.ec2.model.Tag;

final class AwsTags {
    private AwsTags() {}

    static List<Tag> of(Map<String, String> tags) {
        return tags.entrySet().stream().map(e -> Tag.builder().key(e.getKey()).value(e.getValue()).build()).toList();
    }

    static Map<String, String> toMap(List<Tag> tags) {
        Map<String, String> map = new java.util.LinkedHashMap<>();
        if (tags != null) {
            tags.forEach(t -> map.put(t.key(), t.value()));
        }
        return map;
    }
}
