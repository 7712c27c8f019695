//! CodeBuild report groups, source credentials, resource policies, fleets and the small
//! operations, over awsJson1_1 with literal JSON.

use crate::support::{call, MockServer};
use serde_json::{json, Value};

async fn cb(server: &MockServer, op: &str, body: Value) -> crate::support::Reply {
    call(
        server,
        &format!("CodeBuild_20161006.{op}"),
        &body.to_string(),
    )
    .await
}

#[tokio::test]
async fn report_groups_are_created_listed_updated_and_deleted() {
    let server = MockServer::start().await;
    let r = cb(
        &server,
        "CreateReportGroup",
        json!({"name": "unit", "type": "TEST", "exportConfig": {"exportConfigType": "S3",
            "s3Destination": {"bucket": "my-s3-bucket", "path": ""}}}),
    )
    .await;
    assert_eq!(r.status, 200, "{:?}", r.json());
    let g = &r.json()["reportGroup"];
    let arn = g["arn"].as_str().expect("test value").to_string();
    assert!(arn.starts_with("arn:aws:codebuild:"), "{arn}");
    assert!(arn.ends_with(":report-group/unit"), "{arn}");
    assert_eq!(g["name"], "unit");
    assert_eq!(g["type"], "TEST");
    assert_eq!(g["status"], "ACTIVE");
    // AWS echoes packaging NONE and encryptionDisabled false (aws-cli create-report-group example).
    assert_eq!(g["exportConfig"]["s3Destination"]["packaging"], "NONE");
    assert_eq!(
        g["exportConfig"]["s3Destination"]["encryptionDisabled"],
        false
    );
    assert!(g["created"].is_number());

    let r = cb(
        &server,
        "CreateReportGroup",
        json!({"name": "unit", "type": "TEST", "exportConfig": {"exportConfigType": "NO_EXPORT"}}),
    )
    .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["__type"], "ResourceAlreadyExistsException");

    let r = cb(
        &server,
        "CreateReportGroup",
        json!({"name": "cov", "type": "CODE_COVERAGE", "exportConfig": {"exportConfigType": "S3"}}),
    )
    .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["__type"], "InvalidInputException");
    cb(
        &server,
        "CreateReportGroup",
        json!({"name": "cov", "type": "CODE_COVERAGE", "exportConfig": {"exportConfigType": "NO_EXPORT"}}),
    )
    .await;

    let r = cb(&server, "ListReportGroups", json!({})).await;
    let body = r.json();
    let list: Vec<&str> = body["reportGroups"]
        .as_array()
        .expect("test value")
        .iter()
        .map(|v| v.as_str().expect("test value"))
        .collect();
    assert_eq!(list.len(), 2);
    assert!(list[0].ends_with("/cov") && list[1].ends_with("/unit"));
    let r = cb(
        &server,
        "ListReportGroups",
        json!({"sortOrder": "DESCENDING", "maxResults": 1}),
    )
    .await;
    let body = r.json();
    assert!(body["reportGroups"][0]
        .as_str()
        .expect("test value")
        .ends_with("/unit"));
    let token = body["nextToken"].as_str().expect("test value");
    let r = cb(
        &server,
        "ListReportGroups",
        json!({"sortOrder": "DESCENDING", "maxResults": 1, "nextToken": token}),
    )
    .await;
    assert!(r.json()["reportGroups"][0]
        .as_str()
        .expect("test value")
        .ends_with("/cov"));
    assert!(r.json().get("nextToken").is_none());

    let r = cb(
        &server,
        "UpdateReportGroup",
        json!({"arn": arn, "tags": [{"key": "team", "value": "web"}]}),
    )
    .await;
    assert_eq!(r.json()["reportGroup"]["tags"][0]["value"], "web");
    let missing = arn.replace("/unit", "/nope");
    let r = cb(&server, "UpdateReportGroup", json!({"arn": missing})).await;
    assert_eq!(r.json()["__type"], "ResourceNotFoundException");

    let r = cb(
        &server,
        "BatchGetReportGroups",
        json!({"reportGroupArns": [arn, missing]}),
    )
    .await;
    let body = r.json();
    assert_eq!(
        body["reportGroups"].as_array().expect("test value").len(),
        1
    );
    assert_eq!(body["reportGroupsNotFound"][0], missing.as_str());

    let r = cb(
        &server,
        "ListReportsForReportGroup",
        json!({"reportGroupArn": arn}),
    )
    .await;
    assert_eq!(r.json()["reports"], json!([]));
    let r = cb(
        &server,
        "ListReportsForReportGroup",
        json!({"reportGroupArn": missing}),
    )
    .await;
    assert_eq!(r.json()["__type"], "ResourceNotFoundException");
    let r = cb(
        &server,
        "GetReportGroupTrend",
        json!({"reportGroupArn": arn, "trendField": "PASS_RATE"}),
    )
    .await;
    assert_eq!(r.json(), json!({"stats": {}, "rawData": []}));

    // Delete is idempotent; the group is gone afterwards.
    assert_eq!(
        cb(&server, "DeleteReportGroup", json!({"arn": arn}))
            .await
            .status,
        200
    );
    assert_eq!(
        cb(&server, "DeleteReportGroup", json!({"arn": arn}))
            .await
            .status,
        200
    );
    let r = cb(
        &server,
        "BatchGetReportGroups",
        json!({"reportGroupArns": [arn]}),
    )
    .await;
    assert_eq!(r.json()["reportGroupsNotFound"][0], arn.as_str());
}

#[tokio::test]
async fn unknown_reports_are_not_found_or_empty_as_the_model_says() {
    let server = MockServer::start().await;
    let arn =
        "arn:aws:codebuild:us-east-1:000000000000:report/g:00000000-0000-0000-0000-000000000000";
    let r = cb(&server, "BatchGetReports", json!({"reportArns": [arn]})).await;
    assert_eq!(r.json(), json!({"reports": [], "reportsNotFound": [arn]}));
    let r = cb(&server, "DescribeTestCases", json!({"reportArn": arn})).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["__type"], "ResourceNotFoundException");
    let r = cb(&server, "DescribeCodeCoverages", json!({"reportArn": arn})).await;
    assert_eq!(r.json(), json!({"codeCoverages": []}));
    assert_eq!(
        cb(&server, "DeleteReport", json!({"arn": arn}))
            .await
            .status,
        200
    );
    let r = cb(&server, "ListReports", json!({})).await;
    assert_eq!(r.json(), json!({"reports": []}));
    let r = cb(&server, "ListSharedReportGroups", json!({})).await;
    assert_eq!(r.json(), json!({"reportGroups": []}));
}

#[tokio::test]
async fn source_credentials_one_per_server_type() {
    let server = MockServer::start().await;
    let r = cb(
        &server,
        "ImportSourceCredentials",
        json!({"token": "ghp_x", "serverType": "GITHUB", "authType": "PERSONAL_ACCESS_TOKEN"}),
    )
    .await;
    assert_eq!(r.status, 200, "{:?}", r.json());
    let arn = r.json()["arn"].as_str().expect("test value").to_string();
    assert!(arn.ends_with(":token/github"), "{arn}");
    let r = cb(
        &server,
        "ImportSourceCredentials",
        json!({"token": "y", "serverType": "GITHUB", "authType": "PERSONAL_ACCESS_TOKEN", "shouldOverwrite": false}),
    )
    .await;
    assert_eq!(r.json()["__type"], "ResourceAlreadyExistsException");
    let r = cb(
        &server,
        "ImportSourceCredentials",
        json!({"token": "app-pw", "serverType": "BITBUCKET", "authType": "BASIC_AUTH"}),
    )
    .await;
    assert_eq!(r.json()["__type"], "InvalidInputException");
    cb(
        &server,
        "ImportSourceCredentials",
        json!({"token": "app-pw", "username": "me", "serverType": "BITBUCKET", "authType": "BASIC_AUTH"}),
    )
    .await;
    let r = cb(&server, "ListSourceCredentials", json!({})).await;
    let infos = r.json()["sourceCredentialsInfos"].clone();
    assert_eq!(infos.as_array().expect("test value").len(), 2);
    assert_eq!(infos[0]["serverType"], "BITBUCKET");
    assert_eq!(infos[0]["authType"], "BASIC_AUTH");
    assert!(infos[0].get("token").is_none());
    let r = cb(&server, "DeleteSourceCredentials", json!({"arn": arn})).await;
    assert_eq!(r.json()["arn"], arn.as_str());
    let r = cb(&server, "DeleteSourceCredentials", json!({"arn": arn})).await;
    assert_eq!(r.json()["__type"], "ResourceNotFoundException");
}

#[tokio::test]
async fn resource_policies_attach_to_report_groups() {
    let server = MockServer::start().await;
    let r = cb(
        &server,
        "CreateReportGroup",
        json!({"name": "shared", "type": "TEST", "exportConfig": {"exportConfigType": "NO_EXPORT"}}),
    )
    .await;
    let arn = r.json()["reportGroup"]["arn"]
        .as_str()
        .expect("test value")
        .to_string();
    let policy = r#"{"Version":"2012-10-17","Statement":[]}"#;
    let r = cb(&server, "GetResourcePolicy", json!({"resourceArn": arn})).await;
    assert_eq!(r.json()["__type"], "ResourceNotFoundException");
    let r = cb(
        &server,
        "PutResourcePolicy",
        json!({"resourceArn": arn, "policy": policy}),
    )
    .await;
    assert_eq!(r.json()["resourceArn"], arn.as_str());
    let r = cb(&server, "GetResourcePolicy", json!({"resourceArn": arn})).await;
    assert_eq!(r.json()["policy"], policy);
    let r = cb(
        &server,
        "PutResourcePolicy",
        json!({"resourceArn": arn.replace("shared", "other"), "policy": policy}),
    )
    .await;
    assert_eq!(r.json()["__type"], "ResourceNotFoundException");
    assert_eq!(
        cb(&server, "DeleteResourcePolicy", json!({"resourceArn": arn}))
            .await
            .status,
        200
    );
    let r = cb(&server, "GetResourcePolicy", json!({"resourceArn": arn})).await;
    assert_eq!(r.json()["__type"], "ResourceNotFoundException");
}

#[tokio::test]
async fn fleets_are_created_updated_listed_and_deleted() {
    let server = MockServer::start().await;
    let r = cb(
        &server,
        "CreateFleet",
        json!({"name": "linux", "baseCapacity": 2, "environmentType": "LINUX_CONTAINER",
            "computeType": "BUILD_GENERAL1_SMALL",
            "scalingConfiguration": {"scalingType": "TARGET_TRACKING_SCALING", "maxCapacity": 4}}),
    )
    .await;
    assert_eq!(r.status, 200, "{:?}", r.json());
    let f = r.json()["fleet"].clone();
    let arn = f["arn"].as_str().expect("test value").to_string();
    assert!(arn.contains(":fleet/linux:"), "{arn}");
    assert_eq!(
        f["id"].as_str().expect("test value"),
        arn.split(":fleet/").nth(1).expect("test value")
    );
    assert_eq!(f["status"]["statusCode"], "ACTIVE");
    assert_eq!(f["overflowBehavior"], "QUEUE");
    assert_eq!(f["scalingConfiguration"]["desiredCapacity"], 2);
    let r = cb(
        &server,
        "CreateFleet",
        json!({"name": "linux", "baseCapacity": 1, "environmentType": "LINUX_CONTAINER", "computeType": "BUILD_GENERAL1_SMALL"}),
    )
    .await;
    assert_eq!(r.json()["__type"], "ResourceAlreadyExistsException");

    let r = cb(
        &server,
        "UpdateFleet",
        json!({"arn": arn, "baseCapacity": 3}),
    )
    .await;
    assert_eq!(r.json()["fleet"]["baseCapacity"], 3);
    assert_eq!(
        r.json()["fleet"]["scalingConfiguration"]["desiredCapacity"],
        3
    );
    let r = cb(&server, "ListFleets", json!({})).await;
    assert_eq!(r.json()["fleets"], json!([arn]));
    let r = cb(
        &server,
        "BatchGetFleets",
        json!({"names": ["linux", "nope"]}),
    )
    .await;
    assert_eq!(r.json()["fleets"][0]["name"], "linux");
    assert_eq!(r.json()["fleetsNotFound"], json!(["nope"]));
    assert_eq!(
        cb(&server, "DeleteFleet", json!({"arn": arn})).await.status,
        200
    );
    let r = cb(&server, "ListFleets", json!({})).await;
    assert_eq!(r.json()["fleets"], json!([]));
    let r = cb(&server, "UpdateFleet", json!({"arn": arn})).await;
    assert_eq!(r.json()["__type"], "ResourceNotFoundException");
}

#[tokio::test]
async fn curated_images_shared_projects_and_cache_invalidation() {
    let server = MockServer::start().await;
    let r = cb(&server, "ListCuratedEnvironmentImages", json!({})).await;
    let body = r.json();
    let names: Vec<String> = body["platforms"]
        .as_array()
        .expect("test value")
        .iter()
        .flat_map(|p| p["languages"].as_array().expect("test value").clone())
        .flat_map(|l| l["images"].as_array().expect("test value").clone())
        .map(|i| i["name"].as_str().expect("test value").to_string())
        .collect();
    assert!(names.contains(&"aws/codebuild/standard:7.0".to_string()));
    assert!(names.contains(&"aws/codebuild/amazonlinux-x86_64-standard:5.0".to_string()));
    let r = cb(&server, "ListSharedProjects", json!({})).await;
    assert_eq!(r.json(), json!({"projects": []}));
    let r = cb(
        &server,
        "InvalidateProjectCache",
        json!({"projectName": "nope"}),
    )
    .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["__type"], "ResourceNotFoundException");
}
