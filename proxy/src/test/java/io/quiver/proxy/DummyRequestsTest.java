package io.quiver.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.milvus.grpc.QueryRequest;
import io.quiver.common.error.QuiverException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DummyRequestsTest {
    private final List<QueryRequest> ran = new ArrayList<>();

    private final DummyRequests dummies = new DummyRequests(q -> {
        if (q.getCollectionName().equals("missing")) {
            throw QuiverException.invalid("collection not found[%s]", q.getCollectionName());
        }
        ran.add(q);
    });

    @Test
    void aQueryRequestRunsTheQuery() {
        String answer = dummies.answer("{\"request_type\": \"query\", \"dbname\": \"db1\", \"collection_name\": \"c\","
                + " \"partition_names\": [\"p\"], \"output_fields\": [\"id\", \"v\"]}");
        assertThat(answer).isEqualTo(DummyRequests.SUCCESS);
        assertThat(ran).singleElement().satisfies(q -> {
            assertThat(q.getDbName()).isEqualTo("db1");
            assertThat(q.getCollectionName()).isEqualTo("c");
            assertThat(q.getPartitionNamesList()).containsExactly("p");
            assertThat(q.getOutputFieldsList()).containsExactly("id", "v");
        });
    }

    @Test
    void everythingElseFailsWithoutAnError() {
        for (String bad : List.of("", "{", "[1]", "null", "{\"request_type\": \"insert\"}", "{\"request_type\": [\"query\"]}",
                "{\"request_type\": \"query\", \"collection_name\": \"missing\"}",
                "{\"request_type\": \"query\", \"collection_name\": \"c\", \"output_fields\": 7}",
                "[".repeat(10_000) + "]".repeat(10_000))) {
            assertThat(dummies.answer(bad)).as(bad).isEqualTo(DummyRequests.FAIL);
        }
        assertThat(ran).isEmpty();
    }
}
