"""The descriptors a learning platform reads: SCORM ``imsmanifest.xml`` and ``cmi5.xml``.

**Each lesson is its own SCO (SCORM) or AU (cmi5)**, all launching the same player
page with ``?lesson=<id>``. We chose that over one SCO with bookmarking because:

- the Player counts completion per lesson (unique coverage of each lesson); one SCO per
  lesson lets the LMS show, report and roll up exactly that, lesson by lesson;
- each SCO's ``suspend_data`` then holds one lesson's watched map, which the player
  keeps under SCORM 1.2's 4,096 characters for any length (see ``player.js``); one SCO
  for a whole course would have to squeeze every lesson's map into those 4,096;
- the LMS's own table of contents moves between lessons, as learners expect there.

Course text goes into XML attributes and elements through ElementTree (which escapes
it), after removing what XML 1.0 cannot hold at all (most control characters).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from urllib.parse import quote

from studio.export.sources import ExportCourse, ExportLesson

__all__ = ["SCORM12", "SCORM2004", "CMI5", "scorm_manifest", "cmi5_structure", "launch_url"]

SCORM12 = "scorm12"
SCORM2004 = "scorm2004"
CMI5 = "cmi5"
# Characters XML 1.0 forbids (C0 controls but tab, newline, carriage return; surrogates;
# U+FFFE and U+FFFF): they cannot be escaped, only left out.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# SCORM 1.2's title is at most 200 characters; 2004 allows more, 200 is plenty for both.
_TITLE_LIMIT = 200


def _text(value: str, limit: int = _TITLE_LIMIT) -> str:
    return _NOT_XML.sub("", value)[:limit]


def launch_url(lesson: ExportLesson) -> str:
    """The player page that opens ``lesson``, relative to the package root."""
    return f"index.html?lesson={quote(lesson.id, safe='')}"


def _identifier(prefix: str, index: int) -> str:
    # XML IDs: lesson ids are slugs, but a number is always a valid ID whatever the id.
    return f"{prefix}-{index + 1}"


def _register(namespaces: dict[str, str]) -> None:
    for prefix, uri in namespaces.items():
        ET.register_namespace(prefix, uri)


def scorm_manifest(version: str, course: ExportCourse, files: list[str]) -> bytes:
    """``imsmanifest.xml`` for SCORM 1.2 or 2004 4th edition: one SCO per lesson.

    Args:
        version: :data:`SCORM12` or :data:`SCORM2004`.
        course: the course.
        files: every file of the package but the manifest, as package paths.
    """
    if version == SCORM12:
        cp = "http://www.imsproject.org/xsd/imscp_rootv1p1p2"
        adl = "http://www.adlnet.org/xsd/adlcp_rootv1p2"
        namespaces = {"": cp, "adlcp": adl, "xsi": "http://www.w3.org/2001/XMLSchema-instance"}
        locations = (
            f"{cp} imscp_rootv1p1p2.xsd http://www.imsglobal.org/xsd/imsmd_rootv1p2p1 "
            f"imsmd_rootv1p2p1.xsd {adl} adlcp_rootv1p2.xsd"
        )
        schema_version, scorm_type = "1.2", f"{{{adl}}}scormtype"
    else:
        cp = "http://www.imsglobal.org/xsd/imscp_v1p1"
        adl = "http://www.adlnet.org/xsd/adlcp_v1p3"
        namespaces = {
            "": cp,
            "adlcp": adl,
            "adlseq": "http://www.adlnet.org/xsd/adlseq_v1p3",
            "adlnav": "http://www.adlnet.org/xsd/adlnav_v1p3",
            "imsss": "http://www.imsglobal.org/xsd/imsss",
            "xsi": "http://www.w3.org/2001/XMLSchema-instance",
        }
        locations = (
            f"{cp} imscp_v1p1.xsd {adl} adlcp_v1p3.xsd "
            "http://www.adlnet.org/xsd/adlseq_v1p3 adlseq_v1p3.xsd "
            "http://www.adlnet.org/xsd/adlnav_v1p3 adlnav_v1p3.xsd "
            "http://www.imsglobal.org/xsd/imsss imsss_v1p0.xsd"
        )
        schema_version, scorm_type = "2004 4th Edition", f"{{{adl}}}scormType"
    _register(namespaces)

    def tag(name: str) -> str:
        return f"{{{cp}}}{name}"

    root = ET.Element(
        tag("manifest"),
        {
            "identifier": "lectern-" + re.sub(r"[^A-Za-z0-9_.-]", "_", course.info.id),
            "version": str(course.info.version),
            "{http://www.w3.org/2001/XMLSchema-instance}schemaLocation": locations,
        },
    )
    metadata = ET.SubElement(root, tag("metadata"))
    ET.SubElement(metadata, tag("schema")).text = "ADL SCORM"
    ET.SubElement(metadata, tag("schemaversion")).text = schema_version
    organizations = ET.SubElement(root, tag("organizations"), {"default": "course"})
    organization = ET.SubElement(organizations, tag("organization"), {"identifier": "course"})
    ET.SubElement(organization, tag("title")).text = _text(course.info.title)
    resources = ET.SubElement(root, tag("resources"))
    for index, lesson in enumerate(course.lessons):
        item = ET.SubElement(
            organization,
            tag("item"),
            {
                "identifier": _identifier("lesson", index),
                "identifierref": _identifier("sco", index),
            },
        )
        ET.SubElement(item, tag("title")).text = _text(lesson.title)
        resource = ET.SubElement(
            resources,
            tag("resource"),
            {
                "identifier": _identifier("sco", index),
                "type": "webcontent",
                scorm_type: "sco",
                "href": launch_url(lesson),
            },
        )
        ET.SubElement(resource, tag("file"), {"href": "index.html"})
        ET.SubElement(resource, tag("dependency"), {"identifierref": "player"})
    if version == SCORM2004:
        sequencing = ET.SubElement(organization, "{http://www.imsglobal.org/xsd/imsss}sequencing")
        ET.SubElement(
            sequencing,
            "{http://www.imsglobal.org/xsd/imsss}controlMode",
            {"choice": "true", "flow": "true"},
        )
    shared = ET.SubElement(
        resources,
        tag("resource"),
        {"identifier": "player", "type": "webcontent", scorm_type: "asset"},
    )
    for path in files:
        ET.SubElement(shared, tag("file"), {"href": quote(path)})
    ET.indent(root)
    return ET.tostring(root, encoding="UTF-8", xml_declaration=True) + b"\n"


def _course_iri(course: ExportCourse) -> str:
    return f"urn:lectern:course:{quote(course.info.id, safe='')}"


def au_iri(course: ExportCourse, lesson: ExportLesson) -> str:
    """The cmi5 AU id (an IRI) of a lesson: stable across exports of the same course."""
    return f"{_course_iri(course)}:lesson:{quote(lesson.id, safe='')}"


def cmi5_structure(course: ExportCourse) -> bytes:
    """``cmi5.xml``: the course structure, one AU per lesson, completed to move on."""
    ns = "https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd"
    _register({"": ns})
    language = course.info.language or "en"

    def langstring(parent: ET.Element, name: str, text: str, limit: int) -> None:
        element = ET.SubElement(parent, f"{{{ns}}}{name}")
        ET.SubElement(element, f"{{{ns}}}langstring", {"lang": language}).text = _text(text, limit)

    root = ET.Element(f"{{{ns}}}courseStructure")
    element = ET.SubElement(root, f"{{{ns}}}course", {"id": _course_iri(course)})
    langstring(element, "title", course.info.title, _TITLE_LIMIT)
    langstring(element, "description", course.info.description, 2000)
    for lesson in course.lessons:
        au = ET.SubElement(
            root,
            f"{{{ns}}}au",
            {"id": au_iri(course, lesson), "moveOn": "Completed", "launchMethod": "AnyWindow"},
        )
        langstring(au, "title", lesson.title, _TITLE_LIMIT)
        langstring(au, "description", lesson.title, 2000)
        ET.SubElement(au, f"{{{ns}}}url").text = launch_url(lesson)
    ET.indent(root)
    return ET.tostring(root, encoding="UTF-8", xml_declaration=True) + b"\n"
