package tcr

import (
	"github.com/regmint/regmint/core"
	tchttp "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/http"
)

// The services and API versions called, and their default hosts.
const (
	tcrService     = "tcr"
	tcrVersion     = "2019-09-24"
	defaultAPIHost = "tcr.tencentcloudapi.com"
	stsService     = "sts"
	stsVersion     = "2018-08-13"
	defaultSTSHost = "sts.tencentcloudapi.com"
	// The international site's hosts, as Tencent's international SDKs
	// set them (tencentcloud-sdk-java-intl-en, -cpp-intl-en: TcrClient
	// "tcr.intl.tencentcloudapi.com", StsClient
	// "sts.intl.tencentcloudapi.com"), and as the international API pages
	// give the "nearby access" host of every service.
	intlAPIHost = "tcr.intl.tencentcloudapi.com"
	intlSTSHost = "sts.intl.tencentcloudapi.com"
)

// siteHosts returns the default TCR API and STS hosts of a site.
func siteHosts(site string) (api, sts string) {
	if site == core.SiteIntl {
		return intlAPIHost, intlSTSHost
	}
	return defaultAPIHost, defaultSTSHost
}

// The actions called.
const (
	actCreateToken    = "CreateInstanceToken"
	actDeleteToken    = "DeleteInstanceToken"
	actDescribeTokens = "DescribeInstanceToken"
	actDescribeInst   = "DescribeInstances"
	actAssumeRole     = "AssumeRoleWithWebIdentity"
)

// envelope is a vendor answer: {"Response": {...}}. It satisfies
// tchttp.Response through the embedded BaseResponse, which turns an
// {"Error"} answer into a *errors.TencentCloudSDKError.
type envelope[T any] struct {
	*tchttp.BaseResponse
	Response *T `json:"Response"`
}

type createTokenRequest struct {
	RegistryId string `json:"RegistryId"`
	TokenType  string `json:"TokenType"`
	Desc       string `json:"Desc,omitempty"`
}

type createTokenResponse struct {
	Username string `json:"Username"`
	Token    string `json:"Token"`
	// ExpTime is the expiry in milliseconds since the epoch (the SDK's
	// model says only "a timestamp number without unit", *int64, may be
	// null).
	ExpTime   *int64 `json:"ExpTime"`
	TokenId   string `json:"TokenId"`
	RequestId string `json:"RequestId"`
}

type deleteTokenRequest struct {
	RegistryId string `json:"RegistryId"`
	TokenId    string `json:"TokenId"`
}

type deleteTokenResponse struct {
	RequestId string `json:"RequestId"`
}

type describeTokensRequest struct {
	RegistryId string `json:"RegistryId"`
	Limit      int64  `json:"Limit"`
	Offset     int64  `json:"Offset"`
}

type describeTokensResponse struct {
	TotalCount int64 `json:"TotalCount"`
	Tokens     []struct {
		Id         string `json:"Id"`
		Desc       string `json:"Desc"`
		RegistryId string `json:"RegistryId"`
		Enabled    bool   `json:"Enabled"`
		CreatedAt  string `json:"CreatedAt"`
		ExpiredAt  int64  `json:"ExpiredAt"`
	} `json:"Tokens"`
	RequestId string `json:"RequestId"`
}

type describeInstancesRequest struct {
	Registryids []string `json:"Registryids"`
	Limit       int64    `json:"Limit"`
}

type describeInstancesResponse struct {
	TotalCount int64 `json:"TotalCount"`
	Registries []struct {
		RegistryId   string `json:"RegistryId"`
		RegistryName string `json:"RegistryName"`
		Status       string `json:"Status"`
		PublicDomain string `json:"PublicDomain"`
		RegionName   string `json:"RegionName"`
	} `json:"Registries"`
	RequestId string `json:"RequestId"`
}

type assumeRoleRequest struct {
	ProviderId       string `json:"ProviderId"`
	WebIdentityToken string `json:"WebIdentityToken"`
	RoleArn          string `json:"RoleArn"`
	RoleSessionName  string `json:"RoleSessionName"`
	DurationSeconds  int64  `json:"DurationSeconds"`
}

type assumeRoleResponse struct {
	Credentials struct {
		Token        string `json:"Token"`
		TmpSecretId  string `json:"TmpSecretId"`
		TmpSecretKey string `json:"TmpSecretKey"`
	} `json:"Credentials"`
	// ExpiredTime is the expiry in seconds since the epoch; Expiration the
	// same as RFC 3339.
	ExpiredTime int64  `json:"ExpiredTime"`
	Expiration  string `json:"Expiration"`
	RequestId   string `json:"RequestId"`
}
