//! The small operations: ListCuratedEnvironmentImages, ListSharedProjects,
//! InvalidateProjectCache.

use crate::error::ServiceError;
use crate::services::codebuild::Call;
use codemock_wire::codebuild::*;

/// The images CodeBuild manages (AWS CodeBuild User Guide, "Docker images provided by
/// CodeBuild": EC2 compute images, x86_64 and aarch64, Ubuntu and Windows, as listed in 2025;
/// image names and platforms from that page). Images with several runtimes are listed under
/// the BASE language. AWS also lists pinned versions (`...:5.0-25.01.30`); which ones exist at
/// a time is not something we can know, so `versions` is empty.
const CURATED: &[(PlatformType, &str, &str)] = &[
    (
        PlatformType::AmazonLinux,
        "aws/codebuild/amazonlinux-x86_64-standard:5.0",
        "Amazon Linux 2023 x86_64 standard:5.0",
    ),
    (
        PlatformType::AmazonLinux,
        "aws/codebuild/amazonlinux-x86_64-standard:4.0",
        "Amazon Linux 2 x86_64 standard:4.0",
    ),
    (
        PlatformType::AmazonLinux,
        "aws/codebuild/amazonlinux-x86_64-standard:corretto8",
        "Amazon Linux 2 x86_64 standard:corretto8",
    ),
    (
        PlatformType::AmazonLinux,
        "aws/codebuild/amazonlinux-x86_64-standard:corretto11",
        "Amazon Linux 2 x86_64 standard:corretto11",
    ),
    (
        PlatformType::AmazonLinux,
        "aws/codebuild/amazonlinux-aarch64-standard:3.0",
        "Amazon Linux 2023 aarch64 standard:3.0",
    ),
    (
        PlatformType::AmazonLinux,
        "aws/codebuild/amazonlinux-aarch64-standard:2.0",
        "Amazon Linux 2 aarch64 standard:2.0",
    ),
    (
        PlatformType::Ubuntu,
        "aws/codebuild/standard:7.0",
        "Ubuntu 22.04 standard:7.0",
    ),
    (
        PlatformType::Ubuntu,
        "aws/codebuild/standard:6.0",
        "Ubuntu 22.04 standard:6.0",
    ),
    (
        PlatformType::Ubuntu,
        "aws/codebuild/standard:5.0",
        "Ubuntu 20.04 standard:5.0",
    ),
    (
        PlatformType::WindowsServer,
        "aws/codebuild/windows-base:2019-3.0",
        "Windows Server Core 2019 base:3.0",
    ),
    (
        PlatformType::WindowsServer,
        "aws/codebuild/windows-base:2019-2.0",
        "Windows Server Core 2019 base:2.0",
    ),
    (
        PlatformType::WindowsServer,
        "aws/codebuild/windows-base:2019-1.0",
        "Windows Server Core 2019 base:1.0",
    ),
    (
        PlatformType::WindowsServer,
        "aws/codebuild/windows-base:2022-1.0",
        "Windows Server Core 2022 base:1.0",
    ),
];

pub(super) fn list_curated_environment_images(
    _call: &mut Call<'_>,
    _input: ListCuratedEnvironmentImagesInput,
) -> Result<ListCuratedEnvironmentImagesOutput, ServiceError> {
    let mut platforms: Vec<EnvironmentPlatform> = Vec::new();
    for (platform, name, description) in CURATED {
        let image = EnvironmentImage {
            name: Some(name.to_string()),
            description: Some(description.to_string()),
            versions: Some(Vec::new()),
        };
        match platforms.iter_mut().find(|p| p.platform == Some(*platform)) {
            Some(p) => {
                if let Some(lang) = p.languages.as_mut().and_then(|l| l.first_mut()) {
                    lang.images.get_or_insert_with(Vec::new).push(image);
                }
            }
            None => platforms.push(EnvironmentPlatform {
                platform: Some(*platform),
                languages: Some(vec![EnvironmentLanguage {
                    language: Some(LanguageType::Base),
                    images: Some(vec![image]),
                }]),
            }),
        }
    }
    Ok(ListCuratedEnvironmentImagesOutput {
        platforms: Some(platforms),
    })
}

/// Nothing is shared with this account (codemock has no AWS RAM), so the list is empty.
pub(super) fn list_shared_projects(
    _call: &mut Call<'_>,
    _input: ListSharedProjectsInput,
) -> Result<ListSharedProjectsOutput, ServiceError> {
    Ok(ListSharedProjectsOutput {
        next_token: None,
        projects: Some(Vec::new()),
    })
}

/// Resets a project's cache. codemock keeps no build cache between builds, so there is
/// nothing to drop; the project must exist.
pub(super) fn invalidate_project_cache(
    call: &mut Call<'_>,
    input: InvalidateProjectCacheInput,
) -> Result<InvalidateProjectCacheOutput, ServiceError> {
    let name = input.project_name;
    if !call.state.projects.contains_key(&name) {
        // Wording not confirmed against AWS.
        return Err(ServiceError::new(
            "ResourceNotFoundException",
            format!("Project cannot be found: {name}"),
        ));
    }
    Ok(InvalidateProjectCacheOutput {})
}
