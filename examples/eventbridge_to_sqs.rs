//! A rule on the default bus sends matching events, reshaped by an input transformer, to an SQS
//! queue; the example reads them back. Run it with:
//!
//! ```sh
//! cargo run -p sdk-compat --example eventbridge_to_sqs
//! ```

use aws_sdk_eventbridge::types::{InputTransformer, PutEventsRequestEntry, Target};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // A server of our own: free port, manual clock, its own thread. Dropped at the end.
    let server = codemock::MockServer::start().await;
    let config = server.sdk_config();
    let events = aws_sdk_eventbridge::Client::new(&config);
    let sqs = aws_sdk_sqs::Client::new(&config);

    let queue_url = sqs
        .create_queue()
        .queue_name("alerts")
        .send()
        .await?
        .queue_url
        .unwrap_or_default();
    events
        .put_rule()
        .name("failed-deploys")
        .event_pattern(r#"{"source":["my.deployer"],"detail":{"status":["FAILED"]}}"#)
        .send()
        .await?;
    events
        .put_targets()
        .rule("failed-deploys")
        .targets(
            Target::builder()
                .id("alerts-queue")
                .arn("arn:aws:sqs:us-east-1:000000000000:alerts")
                .input_transformer(
                    InputTransformer::builder()
                        .input_paths_map("app", "$.detail.app")
                        .input_template(
                            r#""Deploy of <app> failed at <aws.events.event.ingestion-time>""#,
                        )
                        .build()?,
                )
                .build()?,
        )
        .send()
        .await?;

    for (app, status) in [("web", "FAILED"), ("api", "SUCCEEDED")] {
        events
            .put_events()
            .entries(
                PutEventsRequestEntry::builder()
                    .source("my.deployer")
                    .detail_type("Deployment")
                    .detail(format!(r#"{{"app":"{app}","status":"{status}"}}"#))
                    .build(),
            )
            .send()
            .await?;
    }

    let received = sqs
        .receive_message()
        .queue_url(&queue_url)
        .max_number_of_messages(10)
        .send()
        .await?;
    for message in received.messages() {
        println!("{}", message.body().unwrap_or_default());
    }
    // Every event, matched rule and target invocation is in the delivery log too.
    println!("{} delivery log records", server.events().len());
    Ok(())
}
