//! Data-driven fixtures for the pattern language: each row is a pattern, an event and the
//! expected outcome. Rows are grouped by the EventBridge user-guide section they exercise;
//! examples are our own, modelled on the shapes the guide describes.

#[derive(Debug, Clone, Copy)]
pub(super) enum Expect {
    Match,
    NoMatch,
    /// Rejected by validation; the text must appear in the error message.
    Invalid(&'static str),
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Fixture {
    pub pattern: &'static str,
    pub event: &'static str,
    pub expect: Expect,
}

const fn yes(pattern: &'static str, event: &'static str) -> Fixture {
    Fixture {
        pattern,
        event,
        expect: Expect::Match,
    }
}

const fn no(pattern: &'static str, event: &'static str) -> Fixture {
    Fixture {
        pattern,
        event,
        expect: Expect::NoMatch,
    }
}

const fn bad(pattern: &'static str, reason: &'static str) -> Fixture {
    Fixture {
        pattern,
        event: "{}",
        expect: Expect::Invalid(reason),
    }
}

const EC2_EVENT: &str = r#"{"version":"0","id":"6a7e8feb-b491-4cf7-a9f1-bf3703467718","detail-type":"EC2 Instance State-change Notification","source":"aws.ec2","account":"111122223333","time":"2017-12-22T18:43:48Z","region":"us-west-1","resources":["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"],"detail":{"instance-id":"i-1234567890abcdef0","state":"terminated"}}"#;

const CP_EVENT: &str = r#"{"version":"0","id":"01234567-0123-0123-0123-012345678901","detail-type":"CodePipeline Pipeline Execution State Change","source":"aws.codepipeline","account":"123456789012","time":"2024-01-01T00:00:00Z","region":"us-east-1","resources":["arn:aws:codepipeline:us-east-1:123456789012:my-pipeline"],"detail":{"pipeline":"my-pipeline","execution-id":"abc","state":"FAILED","version":3}}"#;

pub(super) const FIXTURES: &[Fixture] = &[
    // ---- Event patterns: fields are ANDed, only named fields are compared ----
    yes(
        r#"{"source":["aws.ec2"],"detail-type":["EC2 Instance State-change Notification"],"detail":{"state":["terminated"]}}"#,
        EC2_EVENT,
    ),
    no(
        r#"{"source":["aws.ec2"],"detail-type":["EC2 Instance State-change Notification"],"detail":{"state":["running"]}}"#,
        EC2_EVENT,
    ),
    no(r#"{"source":["aws.s3"]}"#, EC2_EVENT),
    yes(r#"{"source":["aws.ec2"]}"#, EC2_EVENT),
    no(r#"{"detail":{"missing":["x"]}}"#, EC2_EVENT),
    yes(r#"{"region":["us-west-1"],"account":["111122223333"]}"#, EC2_EVENT),
    no(r#"{"region":["us-west-1"],"account":["999999999999"]}"#, EC2_EVENT),
    // Matching is case-sensitive and character by character.
    no(r#"{"detail":{"state":["Terminated"]}}"#, EC2_EVENT),
    no(r#"{"detail":{"state":["terminated "]}}"#, EC2_EVENT),
    // Same nesting is required.
    no(r#"{"state":["terminated"]}"#, EC2_EVENT),
    no(r#"{"detail":{"state":["x"]}}"#, r#"{"state":"x"}"#),
    yes(r#"{"a":{"b":{"c":{"d":["deep"]}}}}"#, r#"{"a":{"b":{"c":{"d":"deep"}}}}"#),
    no(r#"{"a":{"b":{"c":{"d":["deep"]}}}}"#, r#"{"a":{"b":{"c":"deep"}}}"#),
    // A leaf pattern against an object value does not match.
    no(r#"{"detail":["x"]}"#, r#"{"detail":{"x":1}}"#),
    // ---- Matching on multiple field values: the list is an OR ----
    yes(r#"{"source":["aws.ec2","aws.fargate"]}"#, r#"{"source":"aws.fargate"}"#),
    yes(r#"{"source":["aws.ec2","aws.fargate"]}"#, r#"{"source":"aws.ec2"}"#),
    no(r#"{"source":["aws.ec2","aws.fargate"]}"#, r#"{"source":"aws.s3"}"#),
    yes(r#"{"x":["a",{"prefix":"zz"}]}"#, r#"{"x":"zzz"}"#),
    // ---- Arrays in event patterns: any element, non-empty intersection ----
    yes(
        r#"{"resources":["arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f","arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f"]}"#,
        r#"{"resources":["arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:x","arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f"]}"#,
    ),
    no(
        r#"{"resources":["arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f"]}"#,
        r#"{"resources":["arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:x"]}"#,
    ),
    yes(r#"{"tags":["b"]}"#, r#"{"tags":["a","b","c"]}"#),
    no(r#"{"tags":["d"]}"#, r#"{"tags":["a","b","c"]}"#),
    no(r#"{"tags":["a"]}"#, r#"{"tags":[]}"#),
    yes(r#"{"tags":["a"]}"#, r#"{"tags":[["x"],["a"]]}"#),
    yes(r#"{"n":[{"numeric":[">",10]}]}"#, r#"{"n":[1,20]}"#),
    no(r#"{"n":[{"numeric":[">",10]}]}"#, r#"{"n":[1,2]}"#),
    // Fields of one object pattern must be satisfied by the same array element.
    yes(
        r#"{"items":{"name":["a"],"size":[1]}}"#,
        r#"{"items":[{"name":"b","size":1},{"name":"a","size":1}]}"#,
    ),
    no(
        r#"{"items":{"name":["a"],"size":[1]}}"#,
        r#"{"items":[{"name":"a","size":2},{"name":"b","size":1}]}"#,
    ),
    yes(r#"{"items":{"name":["a"]}}"#, r#"{"items":[5,{"name":"a"}]}"#),
    // ---- Matching null values and empty strings ----
    yes(r#"{"detail":{"eventVersion":[""]}}"#, r#"{"detail":{"eventVersion":"","responseElements":null}}"#),
    yes(r#"{"detail":{"responseElements":[null]}}"#, r#"{"detail":{"eventVersion":"","responseElements":null}}"#),
    no(r#"{"detail":{"eventVersion":[null]}}"#, r#"{"detail":{"eventVersion":""}}"#),
    no(r#"{"detail":{"responseElements":[""]}}"#, r#"{"detail":{"responseElements":null}}"#),
    no(r#"{"detail":{"responseElements":[null]}}"#, r#"{"detail":{}}"#),
    no(r#"{"detail":{"v":[""]}}"#, r#"{"detail":{}}"#),
    no(r#"{"v":[null]}"#, r#"{"v":"null"}"#),
    yes(r#"{"v":[null]}"#, r#"{"v":["a",null]}"#),
    // ---- Exact values keep their JSON type ----
    yes(r#"{"v":[5]}"#, r#"{"v":5}"#),
    no(r#"{"v":[5]}"#, r#"{"v":"5"}"#),
    no(r#"{"v":["5"]}"#, r#"{"v":5}"#),
    yes(r#"{"v":[300]}"#, r#"{"v":300.0}"#),
    yes(r#"{"v":[3.018e2]}"#, r#"{"v":301.8}"#),
    yes(r#"{"v":[1.5]}"#, r#"{"v":1.50}"#),
    no(r#"{"v":[1.5]}"#, r#"{"v":1.51}"#),
    yes(r#"{"v":[-2]}"#, r#"{"v":-2}"#),
    // Beyond numeric matching's range a number still matches by its text.
    yes(r#"{"account":[123456789012]}"#, r#"{"account":123456789012}"#),
    no(r#"{"account":[123456789012]}"#, r#"{"account":123456789013}"#),
    yes(r#"{"v":[true]}"#, r#"{"v":true}"#),
    no(r#"{"v":[true]}"#, r#"{"v":"true"}"#),
    no(r#"{"v":[true]}"#, r#"{"v":false}"#),
    yes(r#"{"v":[false]}"#, r#"{"v":false}"#),
    no(r#"{"v":[false]}"#, r#"{"v":0}"#),
    // ---- Prefix matching ----
    yes(r#"{"time":[{"prefix":"2017-10-02"}]}"#, r#"{"time":"2017-10-02T18:43:48Z"}"#),
    no(r#"{"time":[{"prefix":"2017-10-02"}]}"#, r#"{"time":"2017-10-03T18:43:48Z"}"#),
    no(r#"{"region":[{"prefix":"us-"}]}"#, r#"{"region":"US-east-1"}"#),
    no(r#"{"v":[{"prefix":"12"}]}"#, r#"{"v":123}"#),
    yes(r#"{"v":[{"prefix":""}]}"#, r#"{"v":"anything"}"#),
    no(r#"{"v":[{"prefix":""}]}"#, r#"{"v":null}"#),
    yes(r#"{"v":[{"prefix":"b"}]}"#, r#"{"v":["a","bc"]}"#),
    no(r#"{"v":[{"prefix":"x"}]}"#, r#"{}"#),
    // Prefix matching while ignoring case.
    yes(r#"{"service":[{"prefix":{"equals-ignore-case":"EventB"}}]}"#, r#"{"service":"eventbridge"}"#),
    yes(r#"{"service":[{"prefix":{"equals-ignore-case":"EventB"}}]}"#, r#"{"service":"EVENTBRIDGE"}"#),
    no(r#"{"service":[{"prefix":{"equals-ignore-case":"EventB"}}]}"#, r#"{"service":"Event"}"#),
    no(r#"{"service":[{"prefix":{"equals-ignore-case":"1"}}]}"#, r#"{"service":12}"#),
    // ---- Suffix matching ----
    yes(r#"{"FileName":[{"suffix":".png"}]}"#, r#"{"FileName":"image.png"}"#),
    no(r#"{"FileName":[{"suffix":".png"}]}"#, r#"{"FileName":"image.PNG"}"#),
    no(r#"{"FileName":[{"suffix":".png"}]}"#, r#"{"FileName":"image.png.jpg"}"#),
    // Suffix matching while ignoring case.
    yes(r#"{"service":[{"suffix":{"equals-ignore-case":"tbridge"}}]}"#, r#"{"service":"EventBridge"}"#),
    yes(r#"{"service":[{"suffix":{"equals-ignore-case":"tbridge"}}]}"#, r#"{"service":"EVENTBRIDGE"}"#),
    no(r#"{"service":[{"suffix":{"equals-ignore-case":"tbridge"}}]}"#, r#"{"service":"EventBridges"}"#),
    // ---- Equals-ignore-case ----
    yes(r#"{"name":[{"equals-ignore-case":"alice"}]}"#, r#"{"name":"Alice"}"#),
    yes(r#"{"name":[{"equals-ignore-case":"alice"}]}"#, r#"{"name":"ALICE"}"#),
    no(r#"{"name":[{"equals-ignore-case":"alice"}]}"#, r#"{"name":"Alicia"}"#),
    no(r#"{"name":[{"equals-ignore-case":"1"}]}"#, r#"{"name":1}"#),
    // ---- Anything-but ----
    yes(r#"{"detail":{"state":[{"anything-but":"initializing"}]}}"#, r#"{"detail":{"state":"running"}}"#),
    no(r#"{"detail":{"state":[{"anything-but":"initializing"}]}}"#, r#"{"detail":{"state":"initializing"}}"#),
    // An absent field has no value that could differ.
    no(r#"{"detail":{"state":[{"anything-but":"initializing"}]}}"#, r#"{"detail":{}}"#),
    yes(r#"{"state":[{"anything-but":"initializing"}]}"#, r#"{"state":5}"#),
    yes(r#"{"state":[{"anything-but":"initializing"}]}"#, r#"{"state":null}"#),
    yes(r#"{"state":[{"anything-but":"initializing"}]}"#, r#"{"state":["initializing","running"]}"#),
    no(r#"{"state":[{"anything-but":"initializing"}]}"#, r#"{"state":["initializing"]}"#),
    no(r#"{"state":[{"anything-but":["stopped","overloaded"]}]}"#, r#"{"state":"stopped"}"#),
    no(r#"{"state":[{"anything-but":["stopped","overloaded"]}]}"#, r#"{"state":"overloaded"}"#),
    yes(r#"{"state":[{"anything-but":["stopped","overloaded"]}]}"#, r#"{"state":"running"}"#),
    no(r#"{"x-limit":[{"anything-but":123}]}"#, r#"{"x-limit":123}"#),
    no(r#"{"x-limit":[{"anything-but":123}]}"#, r#"{"x-limit":123.0}"#),
    yes(r#"{"x-limit":[{"anything-but":123}]}"#, r#"{"x-limit":124}"#),
    yes(r#"{"x-limit":[{"anything-but":123}]}"#, r#"{"x-limit":"123"}"#),
    no(r#"{"x-limit":[{"anything-but":[100,200,300]}]}"#, r#"{"x-limit":200}"#),
    yes(r#"{"x-limit":[{"anything-but":[100,200,300]}]}"#, r#"{"x-limit":250}"#),
    yes(r#"{"x-limit":[{"anything-but":[100,200,300]}]}"#, r#"{"x-limit":[100,50]}"#),
    // Anything-but with prefix / suffix (begins with / ends with).
    no(r#"{"state":[{"anything-but":{"prefix":"init"}}]}"#, r#"{"state":"initializing"}"#),
    yes(r#"{"state":[{"anything-but":{"prefix":"init"}}]}"#, r#"{"state":"running"}"#),
    no(r#"{"state":[{"anything-but":{"prefix":"init"}}]}"#, r#"{}"#),
    no(r#"{"FileName":[{"anything-but":{"suffix":".png"}}]}"#, r#"{"FileName":"a.png"}"#),
    yes(r#"{"FileName":[{"anything-but":{"suffix":".png"}}]}"#, r#"{"FileName":"a.jpg"}"#),
    // Anything-but ignoring case.
    no(r#"{"state":[{"anything-but":{"equals-ignore-case":"initializing"}}]}"#, r#"{"state":"INITIALIZING"}"#),
    yes(r#"{"state":[{"anything-but":{"equals-ignore-case":"initializing"}}]}"#, r#"{"state":"Running"}"#),
    no(r#"{"state":[{"anything-but":{"equals-ignore-case":["a","b"]}}]}"#, r#"{"state":"B"}"#),
    yes(r#"{"state":[{"anything-but":{"equals-ignore-case":["a","b"]}}]}"#, r#"{"state":"c"}"#),
    // Anything-but using a wildcard.
    no(r#"{"FilePath":[{"anything-but":{"wildcard":"*/lib/*"}}]}"#, r#"{"FilePath":"/usr/lib/x.so"}"#),
    yes(r#"{"FilePath":[{"anything-but":{"wildcard":"*/lib/*"}}]}"#, r#"{"FilePath":"/usr/bin/x"}"#),
    no(r#"{"FilePath":[{"anything-but":{"wildcard":["*/lib/*","*/bin/*"]}}]}"#, r#"{"FilePath":"/usr/bin/x"}"#),
    yes(r#"{"FilePath":[{"anything-but":{"wildcard":["*/lib/*","*/bin/*"]}}]}"#, r#"{"FilePath":"/opt/x"}"#),
    // ---- Numeric matching ----
    no(r#"{"c-count":[{"numeric":[">",0,"<=",5]}]}"#, r#"{"c-count":0}"#),
    yes(r#"{"c-count":[{"numeric":[">",0,"<=",5]}]}"#, r#"{"c-count":5}"#),
    yes(r#"{"c-count":[{"numeric":[">",0,"<=",5]}]}"#, r#"{"c-count":5.0}"#),
    yes(r#"{"c-count":[{"numeric":[">",0,"<=",5]}]}"#, r#"{"c-count":0.000001}"#),
    no(r#"{"c-count":[{"numeric":[">",0,"<=",5]}]}"#, r#"{"c-count":5.000001}"#),
    no(r#"{"c-count":[{"numeric":[">",0,"<=",5]}]}"#, r#"{"c-count":-1}"#),
    no(r#"{"c-count":[{"numeric":[">",0,"<=",5]}]}"#, r#"{"c-count":"3"}"#),
    no(r#"{"c-count":[{"numeric":[">",0,"<=",5]}]}"#, r#"{}"#),
    yes(r#"{"d-count":[{"numeric":["<",10]}]}"#, r#"{"d-count":9.999999}"#),
    no(r#"{"d-count":[{"numeric":["<",10]}]}"#, r#"{"d-count":10}"#),
    yes(r#"{"x-limit":[{"numeric":["=",3.018e2]}]}"#, r#"{"x-limit":301.8}"#),
    yes(r#"{"x-limit":[{"numeric":["=",3.018e2]}]}"#, r#"{"x-limit":301.80}"#),
    no(r#"{"x-limit":[{"numeric":["=",3.018e2]}]}"#, r#"{"x-limit":301.81}"#),
    yes(r#"{"v":[{"numeric":[">=",10]}]}"#, r#"{"v":10}"#),
    no(r#"{"v":[{"numeric":[">",10]}]}"#, r#"{"v":10}"#),
    yes(r#"{"v":[{"numeric":["<=",10]}]}"#, r#"{"v":10}"#),
    no(r#"{"v":[{"numeric":["<=",10]}]}"#, r#"{"v":10.000001}"#),
    yes(r#"{"v":[{"numeric":[">=",-5,"<",-1]}]}"#, r#"{"v":-3}"#),
    no(r#"{"v":[{"numeric":[">=",-5,"<",-1]}]}"#, r#"{"v":-1}"#),
    yes(r#"{"v":[{"numeric":[">=",0,"<",1]}]}"#, r#"{"v":0}"#),
    yes(r#"{"v":[{"numeric":["=",5000000000]}]}"#, r#"{"v":5e9}"#),
    yes(r#"{"v":[{"numeric":["=",-5000000000]}]}"#, r#"{"v":-5000000000}"#),
    // Values outside the documented range are not numbers to numeric matching.
    no(r#"{"v":[{"numeric":[">",0]}]}"#, r#"{"v":6e9}"#),
    no(r#"{"v":[{"numeric":["<",0]}]}"#, r#"{"v":-6e9}"#),
    no(r#"{"v":[{"numeric":[">",0]}]}"#, r#"{"v":true}"#),
    yes(r#"{"v":[{"numeric":[">",0]},{"numeric":["<",-10]}]}"#, r#"{"v":-11}"#),
    // Both conditions on separate fields (the guide's three-field example).
    yes(
        r#"{"detail":{"c-count":[{"numeric":[">",0,"<=",5]}],"d-count":[{"numeric":["<",10]}],"x-limit":[{"numeric":["=",3.018e2]}]}}"#,
        r#"{"detail":{"c-count":5,"d-count":7,"x-limit":301.8}}"#,
    ),
    no(
        r#"{"detail":{"c-count":[{"numeric":[">",0,"<=",5]}],"d-count":[{"numeric":["<",10]}],"x-limit":[{"numeric":["=",3.018e2]}]}}"#,
        r#"{"detail":{"c-count":5,"d-count":70,"x-limit":301.8}}"#,
    ),
    // ---- IP address matching ----
    yes(r#"{"detail":{"sourceIPAddress":[{"cidr":"10.0.0.0/24"}]}}"#, r#"{"detail":{"sourceIPAddress":"10.0.0.255"}}"#),
    yes(r#"{"detail":{"sourceIPAddress":[{"cidr":"10.0.0.0/24"}]}}"#, r#"{"detail":{"sourceIPAddress":"10.0.0.0"}}"#),
    no(r#"{"detail":{"sourceIPAddress":[{"cidr":"10.0.0.0/24"}]}}"#, r#"{"detail":{"sourceIPAddress":"10.0.1.0"}}"#),
    no(r#"{"detail":{"sourceIPAddress":[{"cidr":"10.0.0.0/24"}]}}"#, r#"{"detail":{"sourceIPAddress":"not-an-ip"}}"#),
    no(r#"{"ip":[{"cidr":"10.0.0.0/8"}]}"#, r#"{"ip":10}"#),
    yes(r#"{"ip":[{"cidr":"0.0.0.0/0"}]}"#, r#"{"ip":"192.168.1.1"}"#),
    no(r#"{"ip":[{"cidr":"0.0.0.0/0"}]}"#, r#"{"ip":"::1"}"#),
    yes(r#"{"ip":[{"cidr":"2001:db8::/32"}]}"#, r#"{"ip":"2001:db8:0:0:1::1"}"#),
    yes(r#"{"ip":[{"cidr":"2001:db8::/32"}]}"#, r#"{"ip":"2001:DB8:ffff::"}"#),
    no(r#"{"ip":[{"cidr":"2001:db8::/32"}]}"#, r#"{"ip":"2001:db9::1"}"#),
    no(r#"{"ip":[{"cidr":"2001:db8::/32"}]}"#, r#"{"ip":"10.0.0.1"}"#),
    yes(r#"{"ip":[{"cidr":"10.0.0.0/24"}]}"#, r#"{"ip":["1.1.1.1","10.0.0.7"]}"#),
    // A plain string that is an address matches the same address however it is written.
    yes(r#"{"ip":["10.0.0.1"]}"#, r#"{"ip":"10.0.0.1"}"#),
    no(r#"{"ip":["10.0.0.1"]}"#, r#"{"ip":"10.0.0.2"}"#),
    yes(r#"{"ip":["2001:db8::1"]}"#, r#"{"ip":"2001:0db8:0000:0000:0000:0000:0000:0001"}"#),
    // ---- Exists matching ----
    yes(r#"{"detail":{"state":[{"exists":true}]}}"#, EC2_EVENT),
    no(r#"{"detail":{"state":[{"exists":true}]}}"#, r#"{"detail":{"c-count":{"c1":100}}}"#),
    no(r#"{"detail":{"c-count":[{"exists":true}]}}"#, r#"{"detail":{"c-count":{"c1":100}}}"#),
    yes(r#"{"detail":{"c-count":[{"exists":false}]}}"#, r#"{"detail":{"state":"x"}}"#),
    // Exists only applies to leaves: an object value counts as absent.
    yes(r#"{"detail":{"c-count":[{"exists":false}]}}"#, r#"{"detail":{"c-count":{"c1":100}}}"#),
    no(r#"{"detail":{"c-count":[{"exists":false}]}}"#, r#"{"detail":{"c-count":5}}"#),
    yes(r#"{"v":[{"exists":true}]}"#, r#"{"v":null}"#),
    no(r#"{"v":[{"exists":false}]}"#, r#"{"v":null}"#),
    yes(r#"{"v":[{"exists":true}]}"#, r#"{"v":""}"#),
    no(r#"{"v":[{"exists":true}]}"#, r#"{"v":[]}"#),
    yes(r#"{"v":[{"exists":false}]}"#, r#"{"v":[]}"#),
    yes(r#"{"a":{"b":[{"exists":false}]}}"#, r#"{}"#),
    yes(r#"{"a":{"b":[{"exists":false}]}}"#, r#"{"a":"scalar"}"#),
    // Absence is judged over the whole event, across array elements.
    no(r#"{"a":{"b":[{"exists":false}]}}"#, r#"{"a":[{"b":1},{"c":2}]}"#),
    yes(r#"{"a":{"b":[{"exists":true}]}}"#, r#"{"a":[{"c":2},{"b":1}]}"#),
    yes(r#"{"v":[{"exists":false},"x"]}"#, r#"{"v":"x"}"#),
    yes(r#"{"v":[{"exists":false},"x"]}"#, r#"{}"#),
    no(r#"{"v":[{"exists":false},"x"]}"#, r#"{"v":"y"}"#),
    // ---- Wildcard matching ----
    yes(r#"{"EventBusArn":[{"wildcard":"arn:aws:events:us-east-1:*:event-bus/*"}]}"#, r#"{"EventBusArn":"arn:aws:events:us-east-1:123456789012:event-bus/default"}"#),
    no(r#"{"EventBusArn":[{"wildcard":"arn:aws:events:us-east-1:*:event-bus/*"}]}"#, r#"{"EventBusArn":"arn:aws:events:us-west-2:123456789012:event-bus/default"}"#),
    yes(r#"{"f":[{"wildcard":"dir/*.png"}]}"#, r#"{"f":"dir/a.png"}"#),
    yes(r#"{"f":[{"wildcard":"dir/*.png"}]}"#, r#"{"f":"dir/sub/a.png"}"#),
    no(r#"{"f":[{"wildcard":"dir/*.png"}]}"#, r#"{"f":"other/a.png"}"#),
    yes(r#"{"f":[{"wildcard":"*Title*"}]}"#, r#"{"f":"MyTitleX"}"#),
    yes(r#"{"f":[{"wildcard":"*Title*"}]}"#, r#"{"f":"Title"}"#),
    yes(r#"{"f":[{"wildcard":"a*b*c"}]}"#, r#"{"f":"abc"}"#),
    no(r#"{"f":[{"wildcard":"a*b*c"}]}"#, r#"{"f":"acb"}"#),
    no(r#"{"f":[{"wildcard":"a*a"}]}"#, r#"{"f":"a"}"#),
    yes(r#"{"f":[{"wildcard":"a\\*b"}]}"#, r#"{"f":"a*b"}"#),
    no(r#"{"f":[{"wildcard":"a\\*b"}]}"#, r#"{"f":"axb"}"#),
    yes(r#"{"f":[{"wildcard":"a\\\\b"}]}"#, r#"{"f":"a\\b"}"#),
    yes(r#"{"f":[{"wildcard":"*"}]}"#, r#"{"f":""}"#),
    no(r#"{"f":[{"wildcard":"*"}]}"#, r#"{"f":5}"#),
    no(r#"{"f":[{"wildcard":"*"}]}"#, r#"{}"#),
    yes(r#"{"f":[{"wildcard":""}]}"#, r#"{"f":""}"#),
    no(r#"{"f":[{"wildcard":"abc"}]}"#, r#"{"f":"abcd"}"#),
    // ---- $or matching ----
    yes(r#"{"$or":[{"source":["aws.ec2"]},{"source":["aws.s3"]}]}"#, r#"{"source":"aws.s3"}"#),
    no(r#"{"$or":[{"source":["aws.ec2"]},{"source":["aws.s3"]}]}"#, r#"{"source":"my.app"}"#),
    yes(r#"{"$or":[{"Location":["New York"]},{"Day":["Monday"]}]}"#, r#"{"Location":"Boston","Day":"Monday"}"#),
    no(r#"{"$or":[{"Location":["New York"]},{"Day":["Monday"]}]}"#, r#"{"Location":"Boston","Day":"Tuesday"}"#),
    yes(
        r#"{"source":["aws.cloudwatch"],"$or":[{"metricName":["CPUUtilization","ReadLatency"]},{"namespace":["AWS/EC2","AWS/ES"]}]}"#,
        r#"{"source":"aws.cloudwatch","namespace":"AWS/ES"}"#,
    ),
    no(
        r#"{"source":["aws.cloudwatch"],"$or":[{"metricName":["CPUUtilization","ReadLatency"]},{"namespace":["AWS/EC2","AWS/ES"]}]}"#,
        r#"{"source":"aws.ec2","namespace":"AWS/ES"}"#,
    ),
    yes(
        r#"{"detail":{"$or":[{"c-count":[{"numeric":[">",0,"<=",5]}]},{"d-count":[{"numeric":["<",10]}]},{"x-limit":[{"numeric":["=",3.018e2]}]}]}}"#,
        r#"{"detail":{"x-limit":301.8}}"#,
    ),
    no(
        r#"{"detail":{"$or":[{"c-count":[{"numeric":[">",0,"<=",5]}]},{"d-count":[{"numeric":["<",10]}]}]}}"#,
        r#"{"detail":{"c-count":50,"d-count":50}}"#,
    ),
    // $or nested inside a $or branch.
    yes(
        r#"{"$or":[{"a":["1"]},{"$or":[{"b":["2"]},{"c":["3"]}]}]}"#,
        r#"{"c":"3"}"#,
    ),
    no(
        r#"{"$or":[{"a":["1"]},{"$or":[{"b":["2"]},{"c":["3"]}]}]}"#,
        r#"{"d":"4"}"#,
    ),
    // A $or branch may be an absence test.
    yes(r#"{"$or":[{"a":[{"exists":false}]},{"a":["x"]}]}"#, r#"{"b":1}"#),
    // ---- Duplicate keys: the last one is used ----
    yes(r#"{"detail":{"location":[{"prefix":"us-"}],"location":[{"anything-but":"us-east"}]}}"#, r#"{"detail":{"location":"eu-west"}}"#),
    no(r#"{"detail":{"location":[{"prefix":"us-"}],"location":[{"anything-but":"us-east"}]}}"#, r#"{"detail":{"location":"us-east"}}"#),
    // ---- Complex example with multiple matching ----
    yes(
        r#"{"time":[{"prefix":"2017-10-02"}],"detail":{"state":[{"anything-but":"initializing"}],"c-count":[{"numeric":[">",0,"<=",5]}],"d-count":[{"numeric":["<",10]}],"x-limit":[{"anything-but":[100,200,300]}]}}"#,
        r#"{"time":"2017-10-02T01:00:00Z","detail":{"state":"running","c-count":3,"d-count":1,"x-limit":150}}"#,
    ),
    no(
        r#"{"time":[{"prefix":"2017-10-02"}],"detail":{"state":[{"anything-but":"initializing"}],"c-count":[{"numeric":[">",0,"<=",5]}],"d-count":[{"numeric":["<",10]}],"x-limit":[{"anything-but":[100,200,300]}]}}"#,
        r#"{"time":"2017-10-02T01:00:00Z","detail":{"state":"running","c-count":3,"d-count":1,"x-limit":200}}"#,
    ),
    // ---- CodePipeline notification patterns ----
    yes(
        r#"{"source":["aws.codepipeline"],"detail-type":["CodePipeline Pipeline Execution State Change"],"detail":{"state":["FAILED"]}}"#,
        CP_EVENT,
    ),
    no(
        r#"{"source":["aws.codepipeline"],"detail-type":["CodePipeline Pipeline Execution State Change"],"detail":{"state":["SUCCEEDED"]}}"#,
        CP_EVENT,
    ),
    yes(r#"{"resources":[{"suffix":":my-pipeline"}],"detail":{"version":[{"numeric":[">=",3]}]}}"#, CP_EVENT),
    // ---- Validation: shape of the pattern ----
    bad(r#"[]"#, "Filter is not an object"),
    bad(r#""source""#, "Filter is not an object"),
    bad(r#"null"#, "Filter is not an object"),
    bad(r#"{"#, "Event pattern is not valid. Reason: "),
    bad(r#"{}"#, "Empty objects are not allowed"),
    bad(r#"{"detail":{}}"#, "Empty objects are not allowed"),
    bad(r#"{"source":"aws.ec2"}"#, "\"source\" must be an object or an array"),
    bad(r#"{"detail":{"n":5}}"#, "\"n\" must be an object or an array"),
    bad(r#"{"source":null}"#, "\"source\" must be an object or an array"),
    bad(r#"{"source":[]}"#, "Empty arrays are not allowed"),
    bad(r#"{"source":[["aws.ec2"]]}"#, "Match value must be String, number, true, false, or null"),
    bad(r#"{"source":[{}]}"#, "Match expression name not found"),
    bad(r#"{"source":[{"prefix":"a","suffix":"b"}]}"#, "Only one key allowed in match expression"),
    bad(r#"{"source":[{"regex":"a.*"}]}"#, "Unrecognized match type regex"),
    bad(r#"{"source":[{"contains":"a"}]}"#, "Unrecognized match type contains"),
    bad(r#"{"detail":{"a":{"b":[{"prefix":1}]}}}"#, "prefix match pattern must be a string"),
    // ---- Validation: string operators ----
    bad(r#"{"v":[{"prefix":5}]}"#, "prefix match pattern must be a string"),
    bad(r#"{"v":[{"prefix":["a"]}]}"#, "prefix match pattern must be a string"),
    bad(r#"{"v":[{"suffix":true}]}"#, "suffix match pattern must be a string"),
    bad(r#"{"v":[{"prefix":{"foo":"x"}}]}"#, "Unsupported prefix pattern: foo"),
    bad(r#"{"v":[{"suffix":{"bar":"x"}}]}"#, "Unsupported suffix pattern: bar"),
    bad(r#"{"v":[{"prefix":{}}]}"#, "Prefix expression name not found"),
    bad(r#"{"v":[{"suffix":{}}]}"#, "Suffix expression name not found"),
    bad(r#"{"v":[{"prefix":{"equals-ignore-case":5}}]}"#, "equals-ignore-case match pattern must be a string"),
    bad(r#"{"v":[{"equals-ignore-case":5}]}"#, "equals-ignore-case match pattern must be a string"),
    bad(r#"{"v":[{"equals-ignore-case":["a"]}]}"#, "equals-ignore-case match pattern must be a string"),
    bad(r#"{"v":[{"exactly":5}]}"#, "exact match pattern must be a string"),
    // ---- Validation: wildcard ----
    bad(r#"{"v":[{"wildcard":5}]}"#, "wildcard match pattern must be a string"),
    bad(r#"{"v":[{"wildcard":"a**b"}]}"#, "Consecutive wildcard characters at pos 2"),
    bad(r#"{"v":[{"wildcard":"**"}]}"#, "Consecutive wildcard characters at pos 1"),
    bad(r#"{"v":[{"wildcard":"a\\b"}]}"#, "Invalid escape character at pos 2"),
    bad(r#"{"v":[{"wildcard":"ab\\"}]}"#, "Invalid escape character at pos 3"),
    // ---- Validation: numeric ----
    bad(r#"{"v":[{"numeric":"x"}]}"#, "Value of numeric must be an array."),
    bad(r#"{"v":[{"numeric":5}]}"#, "Value of numeric must be an array."),
    bad(r#"{"v":[{"numeric":[]}]}"#, "Invalid member in numeric match: ]"),
    bad(r#"{"v":[{"numeric":[5]}]}"#, "Invalid member in numeric match: 5"),
    bad(r#"{"v":[{"numeric":["==",5]}]}"#, "Unrecognized numeric range operator: =="),
    bad(r#"{"v":[{"numeric":["!=",5]}]}"#, "Unrecognized numeric range operator: !="),
    bad(r#"{"v":[{"numeric":[">"]}]}"#, "Value of > must be numeric"),
    bad(r#"{"v":[{"numeric":[">","5"]}]}"#, "Value of > must be numeric"),
    bad(r#"{"v":[{"numeric":["=","5"]}]}"#, "Value of equals must be numeric"),
    bad(r#"{"v":[{"numeric":["<=",null]}]}"#, "Value of <= must be numeric"),
    bad(r#"{"v":[{"numeric":["=",5,6]}]}"#, "Too many elements in numeric expression"),
    bad(r#"{"v":[{"numeric":["<",5,">",1]}]}"#, "Too many elements in numeric expression"),
    bad(r#"{"v":[{"numeric":[">",0,">",5]}]}"#, "Bad numeric range operator: >"),
    bad(r#"{"v":[{"numeric":[">",0,5]}]}"#, "Bad value in numeric range: 5"),
    bad(r#"{"v":[{"numeric":[">",0,"<"]}]}"#, "Value of < must be numeric"),
    bad(r#"{"v":[{"numeric":[">",0,"<",5,6]}]}"#, "Too many terms in numeric range expression"),
    bad(r#"{"v":[{"numeric":[">",5,"<",5]}]}"#, "Bottom must be less than top"),
    bad(r#"{"v":[{"numeric":[">=",10,"<=",5]}]}"#, "Bottom must be less than top"),
    bad(r#"{"v":[{"numeric":[">",5000000001]}]}"#, "Value must be between -5.0E9 and 5.0E9, inclusive"),
    bad(r#"{"v":[{"numeric":["<",-6e9]}]}"#, "Value must be between -5.0E9 and 5.0E9, inclusive"),
    bad(r#"{"v":[{"numeric":["=",1.1234567]}]}"#, "Only values upto 6 decimals are supported"),
    bad(r#"{"v":[{"numeric":[">",0],"prefix":"a"}]}"#, "Too many elements in numeric expression"),
    // ---- Validation: exists ----
    bad(r#"{"v":[{"exists":"true"}]}"#, "exists match pattern must be either true or false."),
    bad(r#"{"v":[{"exists":null}]}"#, "exists match pattern must be either true or false."),
    bad(r#"{"v":[{"exists":true,"prefix":"a"}]}"#, "Only one key allowed in match expression"),
    // ---- Validation: cidr ----
    bad(r#"{"ip":[{"cidr":5}]}"#, "prefix match pattern must be a string"),
    bad(r#"{"ip":[{"cidr":"10.0.0.0"}]}"#, "Malformed CIDR, one '/' required"),
    bad(r#"{"ip":[{"cidr":"10.0.0.0/8/8"}]}"#, "Malformed CIDR, one '/' required"),
    bad(r#"{"ip":[{"cidr":"10.0.0.0/x"}]}"#, "Malformed CIDR, mask bits must be an integer"),
    bad(r#"{"ip":[{"cidr":"10.0.0.0/-1"}]}"#, "Malformed CIDR, mask bits must not be negative"),
    bad(r#"{"ip":[{"cidr":"10.0.0.0/32"}]}"#, "IPv4 mask bits must be < 32"),
    bad(r#"{"ip":[{"cidr":"::/128"}]}"#, "IPv6 mask bits must be < 128"),
    bad(r#"{"ip":[{"cidr":"example.com/8"}]}"#, "Nonstandard IP address: example.com"),
    bad(r#"{"ip":[{"cidr":"300.0.0.0/8"}]}"#, "Invalid IP address: 300.0.0.0"),
    // ---- Validation: anything-but ----
    bad(r#"{"v":[{"anything-but":true}]}"#, "Value of anything-but must be an array or single string/number value."),
    bad(r#"{"v":[{"anything-but":null}]}"#, "Value of anything-but must be an array or single string/number value."),
    bad(r#"{"v":[{"anything-but":{}}]}"#, "Anything-But expression name not found"),
    bad(r#"{"v":[{"anything-but":{"exists":true}}]}"#, "Unsupported anything-but pattern: exists"),
    bad(r#"{"v":[{"anything-but":{"numeric":[">",1]}}]}"#, "Unsupported anything-but pattern: numeric"),
    bad(r#"{"v":[{"anything-but":[true]}]}"#, "Inside anything but list, start|null|boolean is not supported."),
    bad(r#"{"v":[{"anything-but":[{"prefix":"abc-"},{"prefix":"xyz-"}]}]}"#, "Inside anything but list, start|null|boolean is not supported."),
    bad(r#"{"v":[{"anything-but":["a",1]}]}"#, "Inside anything but list, either all values are number or string, mixed type is not supported"),
    bad(r#"{"v":[{"anything-but":[]}]}"#, "Inside anything but list, either all values are number or string, mixed type is not supported"),
    bad(r#"{"v":[{"anything-but":{"prefix":""}}]}"#, "Null prefix/suffix not allowed"),
    bad(r#"{"v":[{"anything-but":{"suffix":""}}]}"#, "Null prefix/suffix not allowed"),
    bad(r#"{"v":[{"anything-but":{"prefix":5}}]}"#, "prefix/suffix match pattern must be a string"),
    bad(r#"{"v":[{"anything-but":{"prefix":["a","b"]}}]}"#, "prefix/suffix match pattern must be a string"),
    bad(r#"{"v":[{"anything-but":{"prefix":true}}]}"#, "Value of anything-but must be an array or single string/number value."),
    bad(r#"{"v":[{"anything-but":{"equals-ignore-case":5}}]}"#, "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported."),
    bad(r#"{"v":[{"anything-but":{"equals-ignore-case":["a",5]}}]}"#, "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported."),
    bad(r#"{"v":[{"anything-but":{"wildcard":"a**"}}]}"#, "Consecutive wildcard characters at pos 2"),
    bad(r#"{"v":[{"anything-but":{"wildcard":[5]}}]}"#, "wildcard match pattern must be a string"),
    bad(r#"{"v":[{"anything-but":{"prefix":"a","suffix":"b"}}]}"#, "Too many elements in numeric expression"),
    bad(r#"{"v":[{"anything-but":1e10}]}"#, "Value must be between -5.0E9 and 5.0E9, inclusive"),
    bad(r#"{"v":[{"anything-but":[0.0000001]}]}"#, "Only values upto 6 decimals are supported"),
    // ---- Validation: $or ----
    bad(r#"{"$or":{"a":["x"]}}"#, "It must be an Array followed with $or."),
    bad(r#"{"$or":[]}"#, "There must have at least 2 Objects in $or relationship."),
    bad(r#"{"$or":[{"a":["x"]}]}"#, "There must have at least 2 Objects in $or relationship."),
    bad(r#"{"$or":[{"a":["x"]},"b"]}"#, "Only JSON object is allowed in array of $or relationship."),
    bad(r#"{"$or":[{"a":["x"]},[{"b":["y"]}]]}"#, "Only JSON object is allowed in array of $or relationship."),
    bad(r#"{"$or":[{"prefix":["x"]},{"b":["y"]}]}"#, "prefix is Ruler reserved fieldName which cannot be used inside $or."),
    bad(r#"{"$or":[{"a":{"numeric":["x"]}},{"b":["y"]}]}"#, "numeric is Ruler reserved fieldName which cannot be used inside $or."),
    bad(r#"{"$or":[{},{"a":["x"]}]}"#, "Empty objects are not allowed"),
    bad(r#"{"detail":{"$or":[{"a":[]},{"b":["y"]}]}}"#, "Empty arrays are not allowed"),
];
