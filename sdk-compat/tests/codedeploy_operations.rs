//! aws-sdk-codedeploy against `MockServer` for the operations no other SDK test calls: GitHub
//! account tokens (codemock has no way to add one, so the list is empty and a delete answers
//! AWS's not-found error) and DeleteResourcesByExternalId (nothing tied to an external id
//! exists without CloudFormation's blue/green hook, so it succeeds).

use aws_config::retry::RetryConfig;
use aws_sdk_codedeploy::Client;
use codemock::MockServer;

fn client(server: &MockServer) -> Client {
    let conf = server
        .sdk_config()
        .into_builder()
        .retry_config(RetryConfig::disabled())
        .build();
    Client::new(&conf)
}

#[tokio::test]
async fn github_account_tokens_list_empty_and_deleting_an_unknown_one_is_a_typed_error() {
    let server = MockServer::start().await;
    let cd = client(&server);
    let listed = cd
        .list_git_hub_account_token_names()
        .send()
        .await
        .expect("list");
    assert!(listed.token_name_list().is_empty());
    assert!(listed.next_token().is_none());

    let err = cd
        .list_git_hub_account_token_names()
        .next_token("not-a-token")
        .send()
        .await
        .expect_err("a token codemock never handed out");
    assert!(err.into_service_error().is_invalid_next_token_exception());

    let err = cd
        .delete_git_hub_account_token()
        .token_name("my-github")
        .send()
        .await
        .expect_err("no such connection");
    let err = err.into_service_error();
    assert!(
        err.is_git_hub_account_token_does_not_exist_exception(),
        "{err:?}"
    );

    let err = cd
        .delete_git_hub_account_token()
        .send()
        .await
        .expect_err("no name");
    assert!(err
        .into_service_error()
        .is_git_hub_account_token_name_required_exception());
}

#[tokio::test]
async fn deleting_resources_by_an_external_id_succeeds_and_leaves_applications_alone() {
    let server = MockServer::start().await;
    let cd = client(&server);
    cd.create_application()
        .application_name("app")
        .send()
        .await
        .expect("create application");
    cd.delete_resources_by_external_id()
        .external_id("stack-1234")
        .send()
        .await
        .expect("delete by external id");
    let apps = cd.list_applications().send().await.expect("list");
    assert_eq!(apps.applications(), ["app"]);
}
