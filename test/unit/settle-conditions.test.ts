// The packaging plugin that settles the template's Conditions (scripts/settle-conditions.ts): each
// compares literal params, so the template is saved as CloudFormation would read it.
import { describe, expect, it } from 'vitest';
import { settledConditions, settleTemplate } from '../../scripts/settle-conditions.ts';

describe('settledConditions', () => {
  it('returns each literal condition decided, through Not, And, Or and Condition references', () => {
    expect(
      settledConditions({
        CreateTable: { 'Fn::Equals': ['false', 'false'] },
        HasDomain: { 'Fn::Not': [{ 'Fn::Equals': ['', ''] }] },
        HasZone: { 'Fn::And': [{ Condition: 'HasDomain' }, { 'Fn::Not': [{ 'Fn::Equals': ['Z1', ''] }] }] },
        Either: { 'Fn::Or': [{ Condition: 'HasDomain' }, { Condition: 'CreateTable' }] },
        Tracing: { 'Fn::Equals': [false, 'true'] },
      }),
    ).toEqual({ CreateTable: true, HasDomain: false, HasZone: false, Either: true, Tracing: false });
  });

  it('returns undefined for a condition that compares anything but literals (left to CloudFormation)', () => {
    expect(
      settledConditions({
        InUsEast1: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'us-east-1'] },
        Also: { 'Fn::Not': [{ Condition: 'InUsEast1' }] },
      }),
    ).toEqual({ InUsEast1: undefined, Also: undefined });
  });
});

describe('settleTemplate', () => {
  it('removes false resources and outputs, settles Fn::If, drops AWS::NoValue and settled conditions', () => {
    const template = {
      Conditions: {
        HasDomain: { 'Fn::Not': [{ 'Fn::Equals': ['', ''] }] },
        CreateKey: { 'Fn::Equals': ['', ''] },
        InUsEast1: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'us-east-1'] },
      },
      Resources: {
        Domain: {
          Type: 'AWS::ApiGatewayV2::DomainName',
          Condition: 'HasDomain',
          Properties: { CertificateArn: '' },
        },
        Key: { Type: 'AWS::KMS::Key', Condition: 'CreateKey', Properties: {} },
        Mapping: { Type: 'AWS::ApiGatewayV2::ApiMapping', DependsOn: ['Domain', 'Key'], Properties: {} },
        Role: {
          Type: 'AWS::IAM::Role',
          Properties: {
            Statement: [
              { Resource: { 'Fn::If': ['CreateKey', { 'Fn::GetAtt': ['Key', 'Arn'] }, ''] } },
              { 'Fn::If': ['HasDomain', { Action: 'x' }, { Ref: 'AWS::NoValue' }] },
            ],
            Tags: { 'Fn::If': ['HasDomain', [], { Ref: 'AWS::NoValue' }] },
            Regional: { 'Fn::If': ['InUsEast1', 'a', 'b'] },
          },
        },
      },
      Outputs: { DomainName: { Condition: 'HasDomain', Value: { Ref: 'Domain' } } },
    };
    expect(settleTemplate(template)).toEqual(['Domain']);
    expect(template).toEqual({
      Conditions: { InUsEast1: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'us-east-1'] } },
      Resources: {
        Key: { Type: 'AWS::KMS::Key', Properties: {} },
        Mapping: { Type: 'AWS::ApiGatewayV2::ApiMapping', DependsOn: ['Key'], Properties: {} },
        Role: {
          Type: 'AWS::IAM::Role',
          Properties: {
            Statement: [{ Resource: { 'Fn::GetAtt': ['Key', 'Arn'] } }],
            Regional: { 'Fn::If': ['InUsEast1', 'a', 'b'] },
          },
        },
      },
      Outputs: {},
    });
  });
});
