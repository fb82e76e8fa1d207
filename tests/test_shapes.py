"""The SHACL shapes in shapes/*.ttl: every rule fires, and only where it should.

For every rule (a shape with a severity; its id is the shape's local name)
there is one small invalid fixture, tests/fixtures/shapes/<Rule>.ttl, holding
only the invalid bit and what it needs. Fixtures are added to the shared
valid base, tests/fixtures/shapes/valid.ttl, which with the real ontology
validates with zero findings of any severity. Validation runs as the build
runs it: pyshacl on ontology/*.ttl + data, inference "none", SHACL-AF on.

Each case asserts the rule id, the focus node, the severity and a key phrase
of the message, and that the fixture causes no other finding than the ones
it lists.

Speed: one pyshacl run over the ontology costs about 1-2 s here, so by
default all fixtures are validated together in one run and each finding is
attributed to the fixture that owns its focus node (fixtures never share the
resources they introduce; a test checks that, and that no finding falls
outside them). Set PPD_SHAPES_ISOLATED=1 to validate every fixture in a run
of its own instead (slower, same assertions).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pyshacl
import pytest
import rdflib
from rdflib import RDF, BNode, Literal, URIRef
from rdflib.namespace import SH

ROOT = Path(__file__).resolve().parent.parent
SHAPES_DIR = ROOT / "shapes"
FIXTURES = ROOT / "tests" / "fixtures" / "shapes"
VALID = FIXTURES / "valid.ttl"
PPDSH = "https://w3id.org/ppdkg/shapes#"
PPD = rdflib.Namespace("https://w3id.org/ppdkg/ontology#")
PREFIXES = {
    "ppdr": "https://w3id.org/ppdkg/id/",
    "ppdv": "https://w3id.org/ppdkg/vocab/",
    "ppd": "https://w3id.org/ppdkg/ontology#",
}
ISOLATED = os.environ.get("PPD_SHAPES_ISOLATED", "") not in ("", "0")


@dataclass(frozen=True)
class Case:
    """Rule ``rule`` fires with ``severity`` on ``focus``, its message containing ``phrase``.

    ``focus`` is ``ppdr:<name>`` / ``ppdv:<name>``, ``attestation-of ppdr:<name>``
    (the blank-node attestation of that resource), ``inference-of ppdr:<name>`` (its
    inference), ``fact-of <focus>`` (the one ppd:states object of that node) or
    ``literal:<text>``.
    ``also`` lists the other (rule, focus) findings the fixture causes.
    """

    rule: str
    severity: str
    focus: str
    phrase: str
    also: tuple[tuple[str, str], ...] = ()

    @property
    def fixture(self) -> Path:
        return FIXTURES / f"{self.rule}.ttl"


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str
    focus: rdflib.term.Node
    message: str


CASES = [
    # provenance.ttl
    Case('EventHasSource', 'Violation', 'ppdr:x-event-has-source', 'This event has no source', also=(('TripleIsCovered', 'ppdr:x-event-has-source'),)),
    Case('ClaimHasSource', 'Violation', 'ppdr:x-claim-has-source', 'This claim has no source', also=(('TripleIsCovered', 'ppdr:x-claim-has-source'),)),
    Case('StateRelationHasSource', 'Violation', 'ppdr:x-state-relation-has-source', 'This relation between states has no source', also=(('TripleIsCovered', 'ppdr:x-state-relation-has-source'),)),
    Case('RoleHoldingHasSource', 'Violation', 'ppdr:x-role-holding-has-source', 'This role holding has no source', also=(('TripleIsCovered', 'ppdr:x-role-holding-has-source'),)),
    Case('DealTermHasSource', 'Violation', 'ppdr:x-deal-term-has-source', 'This deal term has no source', also=(('TripleIsCovered', 'ppdr:x-deal-term-has-source'),)),
    Case('SanctionHasSource', 'Violation', 'ppdr:x-sanction-has-source', 'These sanctions have no source', also=(('TripleIsCovered', 'ppdr:x-sanction-has-source'),)),
    Case('AgentHasSource', 'Violation', 'ppdr:x-agent-has-source', 'has no source'),
    Case('AwardHasSource', 'Warning', 'ppdr:x-award-has-source', 'No source names this award'),
    Case('AttestationHasOneSource', 'Violation', 'attestation-of ppdr:x-attestation-has-one-source', 'names exactly one source document'),
    Case('AttestationSourceIsDocument', 'Violation', 'attestation-of ppdr:x-attestation-source-is-document', 'must be a source document'),
    Case('AttestationHasOneQuote', 'Violation', 'attestation-of ppdr:x-attestation-has-one-quote', 'exactly one non-empty ppd:quote'),
    Case('SourceDocumentHasOneTextFile', 'Violation', 'ppdr:x-source-document-has-one-text-file', 'exactly one ppd:textFile'),
    Case('SourceDocumentTextFileInSources', 'Warning', 'ppdr:x-source-document-text-file-in-sources', 'data/sources/<file>.txt'),
    Case('SourceDocumentHeadlineAtMostOne', 'Violation', 'ppdr:x-source-document-headline-at-most-one', 'at most one ppd:headline'),
    Case('SourceDocumentDatelineAtMostOne', 'Violation', 'ppdr:x-source-document-dateline-at-most-one', 'at most one ppd:dateline'),
    Case('PublicationYearValue', 'Violation', 'ppdr:x-publication-year-value', 'an xsd:gYear'),
    Case('SourceDocumentIsCited', 'Warning', 'ppdr:x-source-document-is-cited', 'No attestation cites this source document'),
    # provenance.ttl: fact-level provenance (issue 14)
    Case('TripleIsCovered', 'Violation', 'ppdr:x-triple-is-covered', 'No source states https://w3id.org/ppdkg/ontology#after https://w3id.org/ppdkg/id/election-a of this resource: add ppd:states [ ppd:statedProperty https://w3id.org/ppdkg/ontology#after ; ppd:statedValue https://w3id.org/ppdkg/id/election-a ]'),
    Case('StatedFactExists', 'Violation', 'ppdr:x-stated-fact-exists', 'states https://w3id.org/ppdkg/ontology#statedTime recentl, but the resource has no such triple'),
    Case('AttestationStatesNothing', 'Warning', 'attestation-of ppdr:x-attestation-states-nothing', 'This attestation of https://w3id.org/ppdkg/id/x-attestation-states-nothing (a passage about something else) states none of the facts of its node: say which facts this passage states', also=(('TripleIsCovered', 'ppdr:x-attestation-states-nothing'),)),
    Case('StatedFactHasOneProperty', 'Violation', 'fact-of attestation-of ppdr:x-stated-fact-has-one-property', 'names exactly one predicate', also=(('TripleIsCovered', 'ppdr:x-stated-fact-has-one-property'),)),
    Case('StatedFactPropertyIsIRI', 'Violation', 'fact-of attestation-of ppdr:x-stated-fact-property-is-iri', 'is the IRI of a property', also=(('TripleIsCovered', 'ppdr:x-stated-fact-property-is-iri'),)),
    Case('StatedFactHasOneValue', 'Violation', 'fact-of attestation-of ppdr:x-stated-fact-has-one-value', 'names exactly one value'),
    Case('InferenceHasOneReasoning', 'Violation', 'ppdr:x-inference-has-one-reasoning', 'exactly one non-empty ppd:reasoning'),
    Case('InferenceStatesFacts', 'Violation', 'ppdr:x-inference-states-facts', 'concludes at least one fact'),
    Case('InferenceHasBasis', 'Violation', 'ppdr:x-inference-has-basis', 'rests on at least one attestation'),
    Case('BasedOnIsAttestation', 'Violation', 'ppdr:x-based-on-is-attestation', 'rests on https://w3id.org/ppdkg/id/person-a, which is not an attestation'),
    Case('SourceDocumentTextFileUnique', 'Violation', 'ppdr:x-source-document-text-file-unique', 'shares its text file data/sources/x-duplicate.txt with https://w3id.org/ppdkg/id/x-source-document-text-file-unique-2', also=(('SourceDocumentTextFileUnique', 'ppdr:x-source-document-text-file-unique-2'),)),
    # dates.ttl
    Case('DateDatatype', 'Violation', 'ppdr:x-date-datatype', 'ppd:date must be a valid xsd:date'),
    Case('DateAtMostOne', 'Violation', 'ppdr:x-date-at-most-one', 'at most one ppd:date'),
    Case('EarliestIsDate', 'Violation', 'ppdr:x-earliest-is-date', 'ppd:earliest must be a valid xsd:date', also=(('EarliestIsDate', 'ppdr:x-earliest-is-date-ill-typed'),)),
    Case('EarliestAtMostOne', 'Violation', 'ppdr:x-earliest-at-most-one', 'at most one ppd:earliest'),
    Case('LatestIsDate', 'Violation', 'ppdr:x-latest-is-date', 'ppd:latest must be a valid xsd:date', also=(('LatestIsDate', 'ppdr:x-latest-is-date-ill-typed'), ('LatestIsDate', 'ppdr:x-latest-is-string'),)),
    Case('LatestAtMostOne', 'Violation', 'ppdr:x-latest-at-most-one', 'at most one ppd:latest'),
    Case('EarliestNotAfterLatest', 'Violation', 'ppdr:x-earliest-not-after-latest', 'ppd:earliest is after ppd:latest'),
    Case('InForceFromDatatype', 'Violation', 'ppdr:x-in-force-from-datatype', 'ppd:inForceFrom must be a valid'),
    Case('InForceFromAtMostOne', 'Violation', 'ppdr:x-in-force-from-at-most-one', 'at most one ppd:inForceFrom'),
    Case('DurationValue', 'Violation', 'ppdr:x-duration-value', 'a valid xsd:duration'),
    Case('DateWithinBounds', 'Violation', 'ppdr:x-date-within-bounds', 'The date 2021-07 lies outside its own ppd:earliest bound 2021-08-01'),
    Case('DatedEventHasBounds', 'Warning', 'ppdr:x-dated-event-has-bounds', 'ppd:earliest or ppd:latest is missing'),
    Case('EventTimeUnknown', 'Info', 'ppdr:x-event-time-unknown', 'No time is known for this event', also=(('AttestationStatesNothing', 'attestation-of ppdr:x-event-time-unknown'),)),
    Case('ReleaseNotBeforeDetention', 'Violation', 'ppdr:x-release-not-before-detention', "its latest possible date 2024-12-31 is before the detention's earliest possible date 2025-01-01"),
    Case('EventNotBeforePredecessor', 'Violation', 'ppdr:x-event-not-before-predecessor', "its latest possible date 2025-05-31 is before that event's earliest possible date 2025-06-01"),
    # events.ttl
    Case('EventHasOneEventType', 'Violation', 'ppdr:x-event-has-one-event-type', 'exactly one ppd:eventType'),
    Case('DetentionEventConcernsSomeone', 'Warning', 'ppdr:x-detention-event-concerns-someone', 'does not say whom it concerns'),
    Case('PersonCountIsInteger', 'Violation', 'ppdr:x-person-count-is-integer', 'a whole number typed xsd:integer'),
    Case('PersonCountNotNegative', 'Violation', 'ppdr:x-person-count-not-negative', 'cannot be negative'),
    Case('PersonCountAtMostOne', 'Violation', 'ppdr:x-person-count-at-most-one', 'at most one ppd:personCount'),
    Case('NamedDetaineesWithinCount', 'Violation', 'ppdr:x-named-detainees-within-count', '2 people are named as ppd:detainee but ppd:personCount is only 1'),
    Case('CountQualifierNeedsCount', 'Warning', 'ppdr:x-count-qualifier-needs-count', 'hedges a count, but there is no ppd:personCount'),
    Case('ReleaseNamesDetentionDetainees', 'Warning', 'ppdr:x-release-names-detention-detainees', 'https://w3id.org/ppdkg/id/person-c, but does not name'),
    Case('PardonHasPerformer', 'Warning', 'ppdr:x-pardon-has-performer', 'No one is recorded as granting this pardon'),
    Case('HandoverHasRecipient', 'Violation', 'ppdr:x-handover-has-recipient', 'add ppd:handedOverTo'),
    Case('DesignationHasPerformer', 'Warning', 'ppdr:x-designation-has-performer', 'No organisation is recorded as designating'),
    Case('ConvictionHasOffence', 'Info', 'ppdr:x-conviction-has-offence', 'The offence of this conviction is not recorded'),
    Case('StatementHasSpeaker', 'Warning', 'ppdr:x-statement-has-speaker', 'No speaker is recorded for this statement'),
    Case('StatementHasText', 'Info', 'ppdr:x-statement-has-text', 'What was said is not recorded'),
    Case('StatementTextAtMostOne', 'Violation', 'ppdr:x-statement-text-at-most-one', 'at most one ppd:statementText'),
    Case('AssessmentHasTopic', 'Info', 'ppdr:x-assessment-has-topic', 'not linked to what it judges'),
    Case('PrisonerCountHasCount', 'Violation', 'ppdr:x-prisoner-count-has-count', 'must give the number'),
    Case('PrisonerCountHasPlace', 'Warning', 'ppdr:x-prisoner-count-has-place', 'does not say which state holds the prisoners'),
    Case('RequestHasRequester', 'Warning', 'ppdr:x-request-has-requester', 'No one is recorded as making this request'),
    Case('CommunicationHasTwoSides', 'Warning', 'ppdr:x-communication-has-two-sides', 'fewer than two ppd:participant'),
    Case('TalksHasStatus', 'Warning', 'ppdr:x-talks-has-status', 'do not say whether they were held'),
    Case('TalksStatusAtMostOne', 'Violation', 'ppdr:x-talks-status-at-most-one', 'at most one ppd:talksStatus'),
    Case('AppointmentHasAppointee', 'Warning', 'ppdr:x-appointment-has-appointee', 'No appointee is recorded'),
    Case('AppointmentHasPost', 'Warning', 'ppdr:x-appointment-has-post', 'does not say to which post'),
    Case('PostAtMostOne', 'Violation', 'ppdr:x-post-at-most-one', 'keep one ppd:post'),
    Case('AwardReceiptHasOneAward', 'Violation', 'ppdr:x-award-receipt-has-one-award', 'exactly one award'),
    Case('AwardReceiptHasRecipient', 'Violation', 'ppdr:x-award-receipt-has-recipient', 'add ppd:recipient'),
    Case('SharedValue', 'Violation', 'ppdr:x-shared-value', 'ppd:shared is at most one xsd:boolean'),
    Case('ElectionHasPlace', 'Warning', 'ppdr:x-election-has-place', 'does not say where it was held'),
    Case('ProtestHasPlace', 'Info', 'ppdr:x-protest-has-place', 'does not say where it took place'),
    # actors.ttl
    Case('AgentHasPrefLabel', 'Violation', 'ppdr:x-agent-has-pref-label', 'named by skos:prefLabel'),
    Case('AgentIsOneKind', 'Violation', 'ppdr:x-agent-is-one-kind', 'exactly one of a person'),
    Case('RelatedPersonHasKinship', 'Warning', 'ppdr:x-related-person-has-kinship', 'without saying how they are related'),
    Case('GovernmentBodyHasState', 'Warning', 'ppdr:x-government-body-has-state', 'does not say which state it belongs to'),
    Case('GovernmentBodyOfOneState', 'Violation', 'ppdr:x-government-body-of-one-state', 'keep one ppd:bodyOf'),
    Case('PostHasOrganization', 'Violation', 'ppdr:x-post-has-organization', 'exactly one ppd:postIn'),
    Case('PostHasType', 'Warning', 'ppdr:x-post-has-type', 'does not say what kind of post'),
    Case('PostTypeAtMostOne', 'Violation', 'ppdr:x-post-type-at-most-one', 'at most one ppd:postType'),
    Case('RoleHoldingHasOneHolder', 'Violation', 'ppdr:x-role-holding-has-one-holder', 'exactly one ppd:holder'),
    Case('RoleHoldingHasOneRole', 'Violation', 'ppdr:x-role-holding-has-one-role', 'exactly one ppd:role'),
    Case('RoleHoldingRoleMatchesPost', 'Warning', 'ppdr:x-role-holding-role-matches-post', 'The role https://w3id.org/ppdkg/vocab/role-journalist differs from the type https://w3id.org/ppdkg/vocab/role-head-of-state'),
    # deals-sanctions.ttl
    Case('AgreementHasParty', 'Violation', 'ppdr:x-agreement-has-party', 'at least one ppd:party'),
    Case('AgreementHasTerms', 'Info', 'ppdr:x-agreement-has-terms', 'records nothing that was given under it'),
    Case('DealTermHasOneConsiderationType', 'Violation', 'ppdr:x-deal-term-has-one-consideration-type', 'exactly one ppd:considerationType'),
    Case('DealTermInAgreement', 'Warning', 'ppdr:x-deal-term-in-agreement', 'belongs to no agreement'),
    Case('DealTermInOneAgreement', 'Violation', 'ppdr:x-deal-term-in-one-agreement', 'a term of more than one agreement'),
    Case('SanctionHasTarget', 'Violation', 'ppdr:x-sanction-has-target', 'add ppd:sanctionTarget'),
    Case('SanctionStatusAtMostOne', 'Violation', 'ppdr:x-sanction-status-at-most-one', 'at most one ppd:sanctionStatus'),
    Case('SanctionStatusReflectsEasing', 'Warning', 'ppdr:x-sanction-status-reflects-easing', 'marked in force, but https://w3id.org/ppdkg/id/x-sanction-status-reflects-easing-easing eased'),
    Case('SanctionsEasingAffectsSanction', 'Violation', 'ppdr:x-sanctions-easing-affects-sanction', 'must say which sanctions it eased'),
    Case('ExtentAtMostOne', 'Violation', 'ppdr:x-extent-at-most-one', 'keep one ppd:extent'),
    Case('StateRelationHasOneType', 'Violation', 'ppdr:x-state-relation-has-one-type', 'exactly one ppd:relationType'),
    Case('StateRelationHasSubject', 'Violation', 'ppdr:x-state-relation-has-subject', 'add ppd:relationSubject'),
    Case('StateRelationHasObject', 'Warning', 'ppdr:x-state-relation-has-object', 'does not name the state(s) on the other side'),
    # claims.ttl
    Case('ClaimHasOneSubject', 'Violation', 'ppdr:x-claim-has-one-subject', 'exactly one ppd:claimSubject'),
    Case('ClaimHasOneAspect', 'Violation', 'ppdr:x-claim-has-one-aspect', 'exactly one ppd:aspect'),
    Case('ClaimHasOneValue', 'Violation', 'ppdr:x-claim-has-one-value', 'exactly one non-empty ppd:claimedValue', also=(('AttestationStatesNothing', 'attestation-of ppdr:x-claim-has-one-value'),)),
    Case('ClaimRankAtMostOne', 'Violation', 'ppdr:x-claim-rank-at-most-one', 'at most one ppd:rank'),
    Case('RankedClaimHasReason', 'Info', 'ppdr:x-ranked-claim-has-reason', 'ranked https://w3id.org/ppdkg/vocab/rank-preferred without a reason'),
    Case('ClaimConflictUnresolved', 'Warning', 'ppdr:x-claim-conflict-unresolved', "'Jon Smith'"),
    Case('ClaimMultiplePreferred', 'Violation', 'ppdr:x-claim-multiple-preferred', '2 claims on the name spelling of this resource are ranked ppdv:rank-preferred'),
    # vocabulary.ttl
    Case('ResourceHasLabel', 'Violation', 'ppdr:x-resource-has-label', 'This resource has no label'),
    Case('ResourceHasKnownType', 'Violation', 'ppdr:x-resource-has-known-type', 'no type from the ontology', also=(('ResourceHasKnownType', 'ppdr:x-resource-has-known-type-schema'),)),
    Case('UnknownProperty', 'Violation', 'ppdr:x-unknown-property', 'Unknown property https://w3id.org/ppdkg/ontology#perfomedBy'),
    Case('UnknownClass', 'Violation', 'ppdr:x-unknown-class', 'Unknown class https://w3id.org/ppdkg/ontology#Persn'),
    Case('ReferenceToUndefinedConcept', 'Violation', 'ppdr:x-reference-to-undefined-concept', 'https://w3id.org/ppdkg/vocab/event-type-pardn (used with https://w3id.org/ppdkg/ontology#eventType) is not defined in the vocabulary', also=(('EventTypeIsEventType', 'ppdr:x-reference-to-undefined-concept'),)),
    Case('ReferenceToUndefinedResource', 'Violation', 'ppdr:x-reference-to-undefined-resource', 'https://w3id.org/ppdkg/id/pardon-of-nobody (used with https://w3id.org/ppdkg/ontology#about) is not described anywhere'),
    Case('PropertyOutsideDomain', 'Violation', 'ppdr:x-property-outside-domain', 'https://w3id.org/ppdkg/ontology#offence belongs on a https://w3id.org/ppdkg/ontology#Conviction'),
    Case('TextValueIsString', 'Violation', 'ppdr:x-text-value-is-string', 'ontology#detaineeDescription takes plain text (an xsd:string literal), but here has "Ukrainians"@en'),
    Case('PrefLabelHasLanguage', 'Violation', 'ppdr:x-pref-label-has-language', 'needs a language tag'),
    Case('PrefLabelOnePerLanguage', 'Violation', 'ppdr:x-pref-label-one-per-language', 'more than one skos:prefLabel in the same language'),
    Case('ConceptHasPrefLabel', 'Violation', 'ppdv:x-concept-has-pref-label', 'A concept is named by skos:prefLabel'),
    Case('ConceptInOneScheme', 'Violation', 'ppdv:x-concept-in-one-scheme', 'exactly one concept scheme'),
    Case('ConceptInVocabularyNamespace', 'Warning', 'ppdr:x-concept-in-vocabulary-namespace', 'Concepts live in the vocabulary namespace'),
    Case('CameoCodeHasNotation', 'Violation', 'ppdv:cameo/x-999', 'exactly one skos:notation'),
    # ranges.ttl
    Case('BodyOfIsState', 'Violation', 'ppdr:x-body-of-is-state', 'must be a state'),
    Case('BasedInIsState', 'Violation', 'ppdr:x-based-in-is-state', 'must be a state'),
    Case('NationalityIsState', 'Violation', 'ppdr:x-nationality-is-state', 'must be a state'),
    Case('MemberOfIsAgent', 'Violation', 'ppdr:x-member-of-is-agent', 'must be an agent'),
    Case('RelatedPersonIsPerson', 'Violation', 'ppdr:x-related-person-is-person', 'must be a person'),
    Case('PostInIsOrganization', 'Violation', 'ppdr:x-post-in-is-organization', 'must be an organisation'),
    Case('PostTypeIsRoleType', 'Violation', 'ppdr:x-post-type-is-role-type', 'must be a role concept'),
    Case('HolderIsAgent', 'Violation', 'ppdr:x-holder-is-agent', 'must be an agent'),
    Case('PostIsPost', 'Violation', 'ppdr:x-post-is-post', 'must be a post'),
    Case('RoleIsRoleType', 'Violation', 'ppdr:x-role-is-role-type', 'must be a role concept'),
    Case('RoleInIsAgent', 'Violation', 'ppdr:x-role-in-is-agent', 'must be an agent'),
    Case('StartedByIsAppointment', 'Violation', 'ppdr:x-started-by-is-appointment', 'must be an appointment'),
    Case('EventTypeIsEventType', 'Violation', 'ppdr:x-event-type-is-event-type', 'must be an event-type concept'),
    Case('PerformedByIsAgent', 'Violation', 'ppdr:x-performed-by-is-agent', 'must be an agent'),
    Case('ParticipantIsAgent', 'Violation', 'ppdr:x-participant-is-agent', 'must be an agent'),
    Case('AfterIsEvent', 'Violation', 'ppdr:x-after-is-event', 'must be an event'),
    Case('DuringIsEvent', 'Violation', 'ppdr:x-during-is-event', 'must be an event'),
    Case('FollowsIsEvent', 'Violation', 'ppdr:x-follows-is-event', 'must be an event'),
    Case('InResponseToIsRequest', 'Violation', 'ppdr:x-in-response-to-is-request', 'must be a request'),
    Case('DetaineeIsPerson', 'Violation', 'ppdr:x-detainee-is-person', 'must be a person'),
    Case('DetaineeNationalityIsState', 'Violation', 'ppdr:x-detainee-nationality-is-state', 'must be a state'),
    Case('EndsDetentionIsDetention', 'Violation', 'ppdr:x-ends-detention-is-detention', 'must be a detention'),
    Case('HandedOverToIsAgent', 'Violation', 'ppdr:x-handed-over-to-is-agent', 'must be an agent'),
    Case('AppointeeIsPerson', 'Violation', 'ppdr:x-appointee-is-person', 'must be a person'),
    Case('AwardIsAward', 'Violation', 'ppdr:x-award-is-award', 'must be an award'),
    Case('RecipientIsAgent', 'Violation', 'ppdr:x-recipient-is-agent', 'must be an agent'),
    Case('AddresseeIsAgent', 'Violation', 'ppdr:x-addressee-is-agent', 'must be an agent'),
    Case('TalksStatusIsTalksStatus', 'Violation', 'ppdr:x-talks-status-is-talks-status', 'must be a talks-status concept'),
    Case('ConveyedByIsAgent', 'Violation', 'ppdr:x-conveyed-by-is-agent', 'must be an agent'),
    Case('PartyIsAgent', 'Violation', 'ppdr:x-party-is-agent', 'must be an agent'),
    Case('BrokeredByIsAgent', 'Violation', 'ppdr:x-brokered-by-is-agent', 'must be an agent'),
    Case('HasTermIsDealTerm', 'Violation', 'ppdr:x-has-term-is-deal-term', 'must be a deal term'),
    Case('GivenByIsAgent', 'Violation', 'ppdr:x-given-by-is-agent', 'must be an agent'),
    Case('ConsiderationTypeIsConsiderationType', 'Violation', 'ppdr:x-consideration-type-is-consideration-type', 'must be a consideration concept'),
    Case('FulfilledByIsEvent', 'Violation', 'ppdr:x-fulfilled-by-is-event', 'must be an event'),
    Case('ImposedByIsAgent', 'Violation', 'ppdr:x-imposed-by-is-agent', 'must be an agent'),
    Case('TargetStateIsState', 'Violation', 'ppdr:x-target-state-is-state', 'must be a state'),
    Case('SanctionStatusIsSanctionStatus', 'Violation', 'ppdr:x-sanction-status-is-sanction-status', 'must be a sanction-status concept'),
    Case('AffectsSanctionIsSanction', 'Violation', 'ppdr:x-affects-sanction-is-sanction', 'must be sanctions'),
    Case('ExtentIsExtent', 'Violation', 'ppdr:x-extent-is-extent', 'must be an extent concept'),
    Case('RelationTypeIsRelationType', 'Violation', 'ppdr:x-relation-type-is-relation-type', 'must be a relation-type concept'),
    Case('RelationSubjectIsAgent', 'Violation', 'ppdr:x-relation-subject-is-agent', 'must be an agent'),
    Case('RelationObjectIsAgent', 'Violation', 'ppdr:x-relation-object-is-agent', 'must be an agent'),
    Case('RelationConcernsIsAgent', 'Violation', 'ppdr:x-relation-concerns-is-agent', 'must be an agent'),
    Case('PublisherIsOrganization', 'Violation', 'ppdr:x-publisher-is-organization', 'must be an organisation'),
    Case('AuthorIsPerson', 'Violation', 'ppdr:x-author-is-person', 'must be a person'),
    Case('CreditedAgencyIsNewsAgency', 'Violation', 'ppdr:x-credited-agency-is-news-agency', 'must be a news agency'),
    Case('AspectIsAspect', 'Violation', 'ppdr:x-aspect-is-aspect', 'must be an aspect concept'),
    Case('ClaimedByIsAgent', 'Violation', 'ppdr:x-claimed-by-is-agent', 'must be an agent'),
    Case('RankIsRank', 'Violation', 'ppdr:x-rank-is-rank', 'must be a rank concept'),
    Case('PlaceIsResource', 'Violation', 'ppdr:x-place-is-resource', 'must be a resource'),
    Case('AboutIsResource', 'Violation', 'ppdr:x-about-is-resource', 'must be a resource'),
    Case('ClaimSubjectIsResource', 'Violation', 'ppdr:x-claim-subject-is-resource', 'must be the IRI of the thing the claim is about'),
    Case('SanctionTargetIsAgentOrSector', 'Violation', 'ppdr:x-sanction-target-is-agent-or-sector', 'must be what the sanctions hit'),
    Case('AttestedByIsNode', 'Violation', 'ppdr:x-attested-by-is-node', 'must be an attestation node', also=(('AttestationHasOneSource', 'literal:source 002'), ('AttestationHasOneQuote', 'literal:source 002'), ('TripleIsCovered', 'ppdr:x-attested-by-is-node'),)),
    Case('InferredByIsInference', 'Violation', 'ppdr:x-inferred-by-is-inference', 'must be an inference typed ppd:Inference', also=(('PropertyOutsideDomain', 'inference-of ppdr:x-inferred-by-is-inference'),)),
    Case('StatesIsNode', 'Violation', 'attestation-of ppdr:x-states-is-node', 'must be a stated-fact node', also=(('StatedFactHasOneProperty', 'literal:the time it happened'), ('StatedFactHasOneValue', 'literal:the time it happened'), ('TripleIsCovered', 'ppdr:x-states-is-node'),)),
    Case('BasedOnIsIRI', 'Violation', 'ppdr:x-based-on-is-iri', 'must be the IRI of an attestation'),
]


# --- running the shapes ---------------------------------------------------------------------


def parse(*paths: Path) -> rdflib.Graph:
    graph = rdflib.Graph()
    for path in paths:
        graph.parse(path, format="turtle")
    return graph


def shape_files() -> list[Path]:
    return sorted(SHAPES_DIR.glob("*.ttl"))  # not shapes/*.rq: those are stored queries


def ontology_files() -> list[Path]:
    return sorted((ROOT / "ontology").glob("*.ttl"))


def validate(data: rdflib.Graph, shapes: rdflib.Graph) -> list[Finding]:
    """Validate as the build does; one Finding per validation result."""
    _conforms, report, _text = pyshacl.validate(
        data_graph=data,
        shacl_graph=shapes,
        inference="none",
        advanced=True,
        allow_warnings=True,
        meta_shacl=False,
    )
    findings = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        shape = report.value(result, SH.sourceShape)
        findings.append(
            Finding(
                rule=str(shape).rpartition("#")[2] if isinstance(shape, URIRef) else f"<blank {shape}>",
                severity=str(report.value(result, SH.resultSeverity)).rpartition("#")[2],
                focus=report.value(result, SH.focusNode),
                message=" ".join(str(m) for m in report.objects(result, SH.resultMessage)),
            )
        )
    return findings


@pytest.fixture(scope="module")
def shapes() -> rdflib.Graph:
    return parse(*shape_files())


@pytest.fixture(scope="module")
def base() -> rdflib.Graph:
    return parse(*ontology_files(), VALID)


@pytest.fixture(scope="module")
def fixture_graphs() -> dict[str, rdflib.Graph]:
    return {case.rule: parse(case.fixture) for case in CASES}


def owned_nodes(graph: rdflib.Graph, base: rdflib.Graph) -> set:
    """The resources (IRIs, blank nodes) a fixture introduces: those it mentions and the base does not."""
    base_nodes = set(base.subjects()) | set(base.objects())
    nodes = {n for triple in graph for n in (triple[0], triple[2]) if not isinstance(n, Literal)}
    return nodes - base_nodes


@pytest.fixture(scope="module")
def combined(shapes, base, fixture_graphs) -> tuple[list[Finding], dict[str, list[Finding]]]:
    """All fixtures in one run: (all findings, findings per fixture by owned focus node)."""
    data = rdflib.Graph()
    data += base
    for graph in fixture_graphs.values():
        data += graph  # += keeps each fixture's blank nodes, so ownership is exact
    findings = validate(data, shapes)
    owner = {}
    for rule, graph in fixture_graphs.items():
        for node in owned_nodes(graph, base):
            owner[node] = rule
    per_fixture: dict[str, list[Finding]] = {rule: [] for rule in fixture_graphs}
    for finding in findings:
        rule = owner.get(finding.focus)
        if rule is None and isinstance(finding.focus, Literal):
            holders = [r for r, g in fixture_graphs.items() if (None, None, finding.focus) in g]
            rule = holders[0] if len(holders) == 1 else None
        if rule is not None:
            per_fixture[rule].append(finding)
    return findings, per_fixture


def findings_for(case: Case, request) -> list[Finding]:
    if ISOLATED:
        data = rdflib.Graph()
        data += request.getfixturevalue("base")
        data += request.getfixturevalue("fixture_graphs")[case.rule]
        return validate(data, request.getfixturevalue("shapes"))
    return request.getfixturevalue("combined")[1][case.rule]


def resolve(spec: str, fixture: rdflib.Graph) -> rdflib.term.Node:
    if spec.startswith("literal:"):
        return Literal(spec[len("literal:"):])
    if spec.startswith("fact-of "):  # the one ppd:states object of a node
        (node,) = fixture.objects(resolve(spec.split(" ", 1)[1], fixture), PPD.states)
        return node
    if spec.startswith("inference-of "):
        (node,) = fixture.objects(resolve(spec.split(" ", 1)[1], fixture), PPD.inferredBy)
        return node
    if spec.startswith("attestation-of "):
        (node,) = fixture.objects(resolve(spec.split(" ", 1)[1], fixture), PPD.attestedBy)
        assert isinstance(node, BNode)
        return node
    prefix, _, local = spec.partition(":")
    return URIRef(PREFIXES[prefix] + local)


def show(findings: list[Finding]) -> str:
    return "\n".join(f"  {f.severity} {f.rule} on {f.focus}: {f.message}" for f in findings) or "  (none)"


# --- the tests ----------------------------------------------------------------------------------


def test_valid_fixture_has_no_findings(shapes, base):
    findings = validate(base, shapes)
    assert findings == [], "the valid fixture must pass clean:\n" + show(findings)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.rule)
def test_rule_fires(case: Case, request, fixture_graphs):
    fixture = fixture_graphs[case.rule]
    focus = resolve(case.focus, fixture)
    findings = findings_for(case, request)
    expected = {(case.rule, focus)} | {(rule, resolve(spec, fixture)) for rule, spec in case.also}
    assert {(f.rule, f.focus) for f in findings} == expected, (
        f"{case.fixture.name} should cause exactly {sorted(map(str, expected))}, got:\n" + show(findings)
    )
    found = [f for f in findings if (f.rule, f.focus) == (case.rule, focus)]  # several: one per triple, say
    assert {finding.severity for finding in found} == {case.severity}
    assert any(case.phrase in finding.message for finding in found), [finding.message for finding in found]


def test_no_finding_outside_the_fixtures(combined):
    findings, per_fixture = combined
    attributed = sum(len(found) for found in per_fixture.values())
    unattributed = [f for f in findings if all(f not in found for found in per_fixture.values())]
    assert not unattributed, "findings on the valid base or shared resources:\n" + show(unattributed)
    assert attributed == len(findings)


def test_fixtures_introduce_disjoint_resources(base, fixture_graphs):
    seen: dict = {}
    for rule, graph in fixture_graphs.items():
        for node in owned_nodes(graph, base):
            assert node not in seen, f"{node} is introduced by both {seen[node]} and {rule}"
            seen[node] = rule


def test_every_rule_has_exactly_one_case_and_fixture(shapes):
    rules = {str(s).rpartition("#")[2] for s in shapes.subjects(SH.severity, None)}
    cased = [case.rule for case in CASES]
    assert len(cased) == len(set(cased))
    assert set(cased) == rules
    files = {p.stem for p in FIXTURES.glob("*.ttl")} - {"valid"}
    assert files == rules


CONSTRAINT_FREE = {RDF.type, SH.property, SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target}


def test_every_shape_is_named_and_has_severity_and_message(shapes):
    """Rule ids come from shape IRIs, so every shape that can be a result's source shape is named."""
    shape_nodes = (
        set(shapes.subjects(RDF.type, SH.NodeShape))
        | set(shapes.subjects(RDF.type, SH.PropertyShape))
        | set(shapes.objects(None, SH.property))
        | {s for p in CONSTRAINT_FREE - {RDF.type, SH.property} for s in shapes.subjects(p, None)}
    )
    assert shape_nodes
    for node in shape_nodes:
        assert isinstance(node, URIRef) and str(node).startswith(PPDSH), f"unnamed shape {node}"
        predicates = set(shapes.predicates(node, None))
        if predicates <= CONSTRAINT_FREE:
            continue  # a container: its property shapes carry the rules
        assert (node, SH.severity, None) in shapes, f"{node} has no sh:severity"
        messages = list(shapes.objects(node, SH.message))
        for constraint in shapes.objects(node, SH.sparql):
            assert (constraint, SH.severity, None) not in shapes, f"{node}: sh:severity on sh:sparql is ignored"
            messages += list(shapes.objects(constraint, SH.message))
        assert messages, f"{node} has no sh:message"


def test_sparql_constraints_declare_their_prefixes(shapes):
    for constraint in shapes.objects(None, SH.sparql):
        assert (constraint, SH.prefixes, URIRef(PPDSH)) in shapes, constraint


def test_real_data_has_no_violations(shapes):
    data = parse(*ontology_files(), *sorted((ROOT / "data").rglob("*.ttl")))
    violations = [f for f in validate(data, shapes) if f.severity == "Violation"]
    assert violations == [], "data/ violates the shapes:\n" + show(violations)


def test_engine_reports_the_same_rules_as_plain_pyshacl(combined):
    """kgbuild's own validation (rule ids, severities, focus nodes) agrees with the pyshacl run above."""
    from kgbuild.checks.build import validate_data
    from kgbuild.project import load_project

    turtle = "\n".join(path.read_text(encoding="utf-8") for path in [VALID, *(case.fixture for case in CASES)])
    report = validate_data(load_project(ROOT), turtle=turtle)
    engine = {(f.rule, f.severity, f.focus) for f in report.findings if f.focus}
    plain = {
        (f.rule, f.severity.lower(), str(f.focus)) for f in combined[0] if isinstance(f.focus, URIRef)
    }
    assert engine == plain
    assert all(f.message for f in report.findings)


def _results(data: rdflib.Graph, shapes: rdflib.Graph, rule: str) -> set[tuple]:
    """(focus, path, value, message) of each result of ``rule``."""
    _conforms, report, _text = pyshacl.validate(data_graph=data, shacl_graph=shapes, inference="none",
                                                advanced=True, allow_warnings=True, meta_shacl=False)
    return {
        (report.value(r, SH.focusNode), report.value(r, SH.resultPath), report.value(r, SH.value),
         str(report.value(r, SH.resultMessage)))
        for r in report.subjects(RDF.type, SH.ValidationResult)
        if report.value(r, SH.sourceShape) == URIRef(PPDSH + rule)
    }


def test_coverage_names_each_uncovered_triple(shapes, base):
    """TripleIsCovered: one result per triple no attestation or inference states — focus = subject,
    sh:resultPath = predicate, sh:value = object — and none for the stated one."""
    data = rdflib.Graph()
    data += base
    data += parse(FIXTURES / "TripleIsCovered.ttl")
    node = URIRef(PREFIXES["ppdr"] + "x-triple-is-covered")
    results = _results(data, shapes, "TripleIsCovered")
    assert {(f, p, v) for f, p, v, _ in results} == {
        (node, PPD.after, URIRef(PREFIXES["ppdr"] + "election-a")),
        (node, PPD.latest, Literal("2025-12-31", datatype=rdflib.XSD.date)),
    }
    message = next(m for _, p, _, m in results if p == PPD.latest)
    assert "add ppd:states [ ppd:statedProperty https://w3id.org/ppdkg/ontology#latest ; ppd:statedValue 2025-12-31 ]" in message
    assert "ppd:Inference" in message


def test_stated_fact_that_is_not_a_triple_is_named(shapes, base):
    data = rdflib.Graph()
    data += base
    data += parse(FIXTURES / "StatedFactExists.ttl")
    results = _results(data, shapes, "StatedFactExists")
    assert {(f, p, v) for f, p, v, _ in results} == {
        (URIRef(PREFIXES["ppdr"] + "x-stated-fact-exists"), PPD.statedTime, Literal("recentl"))}


def test_an_inference_covers_what_it_states(shapes, base):
    """A fact concluded by an inference (ppd:inferredBy) is covered; the valid base has one, shared
    inferences (an IRI linked from several nodes) cover each node."""
    data = rdflib.Graph()
    data += base
    data.parse(data="""
        @prefix ppd:  <https://w3id.org/ppdkg/ontology#> .
        @prefix ppdv: <https://w3id.org/ppdkg/vocab/> .
        @prefix ppdr: <https://w3id.org/ppdkg/id/> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        @prefix xsd:  <http://www.w3.org/2001/XMLSchema#> .
        ppdr:y-one a ppd:Event ; rdfs:label "One" ; ppd:eventType ppdv:event-type-statement ;
            ppd:latest "2025-12-31"^^xsd:date ;
            ppd:attestedBy ppdr:attestation-t1-election-2020 ; ppd:inferredBy ppdr:y-shared .
        ppdr:y-two a ppd:Event ; rdfs:label "Two" ; ppd:eventType ppdv:event-type-statement ;
            ppd:latest "2025-12-31"^^xsd:date ; ppd:statedTime "then" ;
            ppd:attestedBy ppdr:attestation-t1-election-2020 ; ppd:inferredBy ppdr:y-shared .
        ppdr:y-shared a ppd:Inference ; rdfs:label "Shared" ; ppd:reasoning "Published in 2025." ;
            ppd:basedOn ppdr:attestation-t1-election-2020 ;
            ppd:states [ ppd:statedProperty ppd:latest ; ppd:statedValue "2025-12-31"^^xsd:date ] .
    """, format="turtle")
    results = _results(data, shapes, "TripleIsCovered")
    assert {(f, p, v) for f, p, v, _ in results} == {
        (URIRef(PREFIXES["ppdr"] + "y-two"), PPD.statedTime, Literal("then"))}


# --- portability: SHACL-AF as written, no engine's extensions ---------------------------------------

STANDARD_NAMESPACES = (str(SH), str(RDF), "http://www.w3.org/2000/01/rdf-schema#", "http://www.w3.org/2002/07/owl#")


def _sparql_prefixes(shapes) -> str:
    return "".join(f"PREFIX {shapes.value(d, SH.prefix)}: <{shapes.value(d, SH.namespace)}>\n"
                   for d in shapes.objects(URIRef(PPDSH), SH.declare))


def _sparql_targets(shapes) -> list:
    return sorted({t for t in shapes.objects(None, SH.target) if (t, SH.select, None) in shapes}
                  | set(shapes.subjects(RDF.type, SH.SPARQLTarget)), key=str)


def _where_part(select: str) -> str:
    """The text of a SELECT from its WHERE keyword on, spaces normalised."""
    return " ".join(select[select.index("WHERE"):].split())


def test_every_sparql_target_selects_only_this(shapes):
    """SHACL-AF 5.1: a SPARQL target's sh:select has the single result variable `this` (Apache Jena refuses the
    whole shapes graph otherwise); and a target is not also a constraint."""
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery

    targets = _sparql_targets(shapes)
    assert len(targets) >= 20
    for target in targets:
        query = translateQuery(parseQuery(_sparql_prefixes(shapes) + str(shapes.value(target, SH.select))))
        assert [str(v) for v in query.algebra["PV"]] == ["this"], f"{target} selects {query.algebra['PV']}"
        assert (None, SH.sparql, target) not in shapes and (target, RDF.type, SH.SPARQLConstraint) not in shapes, (
            f"{target} is both a target and a constraint")


def test_sparql_target_selects_what_its_constraint_reports(shapes):
    """The convention of prefixes.ttl: a SPARQL-based shape's target has its constraint's WHERE clause, so the
    target's focus nodes are exactly those the constraint reports (and nothing is reported twice or missed)."""
    paired = 0
    for shape in set(shapes.subjects(SH.sparql, None)):
        (constraint,) = shapes.objects(shape, SH.sparql)
        targets = [t for t in shapes.objects(shape, SH.target) if (t, SH.select, None) in shapes]
        if not targets:
            continue
        (target,) = targets
        assert str(target) == str(constraint).removesuffix("Query") + "Target", (shape, target)
        target_select, constraint_select = str(shapes.value(target, SH.select)), str(shapes.value(constraint, SH.select))
        assert " ".join(target_select.split()).startswith("SELECT DISTINCT $this WHERE"), target
        assert _where_part(target_select) == _where_part(constraint_select), f"{target} and {constraint} differ"
        paired += 1
    assert paired >= 20


def test_shapes_use_only_standard_vocabulary(shapes):
    """The shapes run on any SHACL-AF engine: every predicate and type is SHACL's, RDF's, RDFS's or OWL's. An
    extension of kgbuild's engine would have to be declared, and marked, in shapes/prefixes.ttl first."""
    terms = set(shapes.predicates()) | set(shapes.objects(None, RDF.type))
    foreign = sorted(str(t) for t in terms if not str(t).startswith(STANDARD_NAMESPACES))
    assert foreign == []
